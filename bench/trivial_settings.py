"""Rejoinder's settings with ``trivial_urls`` as the URLconf (``bench/run``'s floor).

``bench/run`` starts ``rejoinder serve`` with ``DJANGO_SETTINGS_MODULE=trivial_settings``
and ``bench/`` on PYTHONPATH (the ``rejoinder`` command only sets the module by default).
"""

from rejoinder.settings import *  # noqa: F403

ROOT_URLCONF = "trivial_urls"
