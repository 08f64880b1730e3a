"""What the discussion tells the apps above it (notifications, later federation).

The discussion never imports them: they listen. Each signal is sent with ``sender=Comment``.

``comment_saved(comment)``
    A new comment was saved, whoever wrote it (a reader, the admin, the demo; importers
    write whole threads without it). Sent inside the comment's transaction, so work a
    receiver queues commits with the comment or not at all. A receiver must not raise:
    the comment is saved.
``comment_published(comment)``
    A moderator published a comment held before (sent once the decision is committed).
``comment_submitted(comment, wishes, request)``
    A reader's comment came in through the comment form or the API
    (``submissions.submit``), after it was saved. ``wishes`` is the form's cleaned data
    (its "email me" boxes among it); ``request`` is the reader's browser's request, or
    None from the API (which never reads cookies). A receiver may return a dict of
    notices for the reader (e.g. ``{"subscription": "confirm"}``), which the form view
    puts in the address it redirects to and the API in its answer.
"""

from django.dispatch import Signal

comment_saved = Signal()
comment_published = Signal()
comment_submitted = Signal()
