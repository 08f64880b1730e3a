from django.apps import AppConfig


class DiscussionConfig(AppConfig):
    """Comments and their tree, commenter identity, forms, moderation, notifications."""

    name = "rejoinder.discussion"
    label = "discussion"

    def ready(self):
        from rejoinder.core import pagecache

        from . import commenter, ownership

        # A reader with either sees their own state: never the shared cached page.
        pagecache.register(cookies=(ownership.COOKIE, commenter.COOKIE))
