from django.apps import AppConfig


class PublishingConfig(AppConfig):
    """Posts, pages, categories, tags, revisions, update notes, archives, search, feeds."""

    name = "rejoinder.publishing"
    label = "publishing"

    def ready(self):
        from . import signal_handlers

        signal_handlers.connect()
