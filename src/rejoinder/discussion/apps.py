from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class DiscussionConfig(AppConfig):
    """Comments and their tree, commenter identity, forms, moderation, anti-spam."""

    name = "rejoinder.discussion"
    label = "discussion"

    def ready(self):
        from django.urls import reverse

        from rejoinder.core import pagecache

        from . import commenter, ownership, stamps
        from .models import Ban

        # A reader with either sees their own state: never the shared cached page. The
        # comment form's stamp is fresh in every response, also of a cached page.
        pagecache.register(
            cookies=(ownership.COOKIE, commenter.COOKIE),
            live={stamps.LIVE_NAME: (stamps.issue, lambda: reverse("discussion:stamp"))},
        )

        # Bans are kept in each process under a version token (moderation.active_ban):
        # any saved or deleted ban (also through a deleted account) makes them read again.
        for signal in (post_save, post_delete):
            signal.connect(_bans_changed, sender=Ban, dispatch_uid=f"bans-{signal}")


def _bans_changed(sender, **kwargs):
    from rejoinder.core import versions

    from .moderation import BANS

    versions.renew(BANS)
