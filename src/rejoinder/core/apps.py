from django.apps import AppConfig
from django.db.models.signals import post_migrate


def keep_roles_in_step(sender, apps=None, **kwargs):
    """After every migrate (and flush), recreate the roles with every permission they need."""
    from django.apps import apps as installed_apps

    from .roles import sync_roles

    # migrate passes its project state's apps; flush passes none.
    sync_roles(apps or installed_apps)


class CoreConfig(AppConfig):
    """Site-wide parts: the serve command, roles, the shared context of templates."""

    name = "rejoinder.core"
    label = "core"

    def ready(self):
        post_migrate.connect(keep_roles_in_step, sender=self, dispatch_uid="rejoinder-roles")
