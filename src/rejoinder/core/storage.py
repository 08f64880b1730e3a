from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed static files; plain names when they were not collected yet.

    ``rejoinder serve`` collects static files before it starts, so production always serves
    hashed names with far-future caching. A management command or a test that renders a
    page before any collectstatic gets the unhashed address instead of an error.
    """

    manifest_strict = False

    def stored_name(self, name):
        try:
            return super().stored_name(name)
        except ValueError:
            return name
