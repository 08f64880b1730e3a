from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Email about comments: who is told what, subscriptions and their confirmation, the
    signed links in the messages and the pages behind them, the sending tasks."""

    name = "rejoinder.notifications"
    label = "notifications"

    def ready(self):
        from . import receivers

        receivers.connect()
