from django.apps import AppConfig


class DiscussionConfig(AppConfig):
    """Comments and their tree, commenter identity, forms, moderation, notifications."""

    name = "rejoinder.discussion"
    label = "discussion"
