"""The signed parts of the links in notification email: unsubscribe and moderate.

The salts keep their first names (``rejoinder.discussion.*``): links already in readers'
mailboxes must keep working.
"""

import datetime
from collections import namedtuple

from django.core import signing

from rejoinder.discussion.models import Comment

# The author's one-click decisions, and the status each sets.
MODERATION_ACTIONS = {
    "approve": Comment.Status.APPROVED,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.TRASH,
}
MODERATION_LABELS = {"approve": "Approve", "spam": "Mark as spam", "trash": "Move to trash"}
# How long the links in an author's email work.
MODERATION_LINK_MAX_AGE = datetime.timedelta(days=7)

_UNSUBSCRIBE_SALT = "rejoinder.discussion.unsubscribe"
_MODERATE_SALT = "rejoinder.discussion.moderate"


def unsubscribe_token(subscriber_id, subscription_id=None):
    """The signed part of an unsubscribe link: one subscription, or all (None).

    It never expires: an unsubscribe link must work whenever the message is read.
    """
    value = f"{subscriber_id}-{subscription_id or 0}"
    return signing.Signer(salt=_UNSUBSCRIBE_SALT).sign(value)


def read_unsubscribe_token(token):
    """(subscriber id, subscription id or None) from a link, or None if it is not ours."""
    try:
        value = signing.Signer(salt=_UNSUBSCRIBE_SALT).unsign(token)
        subscriber_id, subscription_id = (int(part) for part in value.split("-"))
    except (signing.BadSignature, ValueError):
        return None
    return subscriber_id, subscription_id or None


ModerationLink = namedtuple("ModerationLink", "comment_id action status author_id version")


def moderation_token(comment, action):
    """The signed part of a moderation link: the comment, the action, the comment's status
    as the email tells it and its moderation version then, and the author it went to
    (valid ``MODERATION_LINK_MAX_AGE``)."""
    version = comment.moderation_version
    value = f"{comment.pk}-{action}-{comment.status}-{comment.post.author_id}-{version}"
    return signing.TimestampSigner(salt=_MODERATE_SALT).sign(value)


def read_moderation_token(token):
    """A ``ModerationLink``; raises ``signing.SignatureExpired`` for an old link and
    ``signing.BadSignature`` for anything else that is not a link of ours."""
    value = signing.TimestampSigner(salt=_MODERATE_SALT).unsign(
        token, max_age=MODERATION_LINK_MAX_AGE
    )
    parts = value.split("-")
    if len(parts) == 4:
        parts.append(None)  # a link from before links were single-use: never applies
    try:
        comment_id, action, status, author_id, version = parts
        version = None if version is None else int(version)
        link = ModerationLink(int(comment_id), action, status, int(author_id), version)
    except ValueError:
        raise signing.BadSignature("Malformed moderation link.") from None
    if action not in MODERATION_ACTIONS:
        raise signing.BadSignature("Unknown moderation action.")
    return link


def link_applies(link, comment):
    """Whether a moderation link may still act on ``comment``: its status and text are
    as the email told them (no link of that email was used, no moderator decided, its
    writer did not edit it, back into the queue or not), so each link works once."""
    return comment.status == link.status and comment.moderation_version == link.version
