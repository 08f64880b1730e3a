"""Why a comment was not taken: the exceptions every way in (form, API) turns into answers."""


class CommentRefused(Exception):
    """A rule refused the comment; ``field`` names the form field it concerns (or None)."""

    status_code = 400

    def __init__(self, field, message, **limits):
        super().__init__(message)
        self.field = field
        self.message = message
        self.limits = limits  # the limit broken, for the API's problem ("max_depth": 100)


class TooSoon(CommentRefused):
    """A flood limit: answered with 429 and ``Retry-After``."""

    status_code = 429

    def __init__(self, message, retry_after):
        super().__init__(None, message)
        self.retry_after = retry_after
