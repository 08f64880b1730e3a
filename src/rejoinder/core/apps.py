from django.apps import AppConfig
from django.db.models.signals import post_migrate


def keep_roles_in_step(sender, apps, **kwargs):
    """After every migrate, give the roles the permissions of models added since."""
    from .roles import sync_roles

    sync_roles(apps)


class CoreConfig(AppConfig):
    """Site-wide parts: the run/serve commands, roles, templates' shared context."""

    name = "rejoinder.core"
    label = "core"

    def ready(self):
        post_migrate.connect(keep_roles_in_step, sender=self, dispatch_uid="rejoinder-roles")
