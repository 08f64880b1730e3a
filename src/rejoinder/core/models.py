"""The core app has no models; this module lets Django send it post_migrate (roles sync)."""
