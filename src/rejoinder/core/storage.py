from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed static files; falls back to plain names before collectstatic ran.

    ``rejoinder serve`` collects static files before it starts, so production always serves
    hashed names with far-future caching. Tests and management commands that render pages
    without a manifest get the unhashed names instead of an error.
    """

    manifest_strict = False
