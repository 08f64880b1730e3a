from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Site-wide parts: the run/serve commands, roles, templates' shared context."""

    name = "rejoinder.core"
    label = "core"
