from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Running a whole site: first-run setup and its demo content, backups and restores.

    The top layer: it may use every app (the demo writes posts and their discussion; a
    restore checks the site is empty), and no app uses it."""

    name = "rejoinder.operations"
    label = "operations"
