from django.apps import AppConfig


class InteropConfig(AppConfig):
    """Moving in and out: WordPress (WXR) import and export, Disqus import, later the API."""

    name = "rejoinder.interop"
    label = "interop"
