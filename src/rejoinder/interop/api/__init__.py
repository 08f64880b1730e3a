"""Rejoinder's JSON API (``/api/v1/``, docs/api.md), built with django-ninja.

django-ninja and pydantic weigh about 12 MB in each server process, so the API is mounted
lazily: the site's URL map holds one view for ``/api/v1/…`` (``mount.py``) that loads the
API's own URL map (``urls.py``, the ninja application of ``service.py``) at the process's
first API request. A worker that only serves pages never imports them. Nothing else here
imports ninja: the embed uses ``pages`` and ``origins`` without it.
"""
