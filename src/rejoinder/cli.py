"""The ``rejoinder`` command: Django's management commands with Rejoinder's settings.

``rejoinder run`` and ``rejoinder serve`` are management commands of ``rejoinder.core``;
everything else (``migrate``, ``createsuperuser``, ``shell`` …) is Django's own.
"""

import os
import sys


def main(argv=None):
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rejoinder.settings")
    # `serve` is the production entry point: it demands a real secret and host names
    # unless the operator chose otherwise. Everything else defaults to a local run.
    if len(argv) > 1 and argv[1] == "serve":
        os.environ.setdefault("REJOINDER_ENV", "production")
    from django.core.exceptions import ImproperlyConfigured

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(argv)
    except ImproperlyConfigured as error:
        sys.stderr.write(f"rejoinder: configuration error: {error}\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
