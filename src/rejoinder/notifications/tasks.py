"""Background work of notifications: the email (django-tasks, database backend).

The worker (``rejoinder db_worker``, started by ``rejoinder run``) runs these. Each message
is its own task, so one failing address or a mail server outage never holds up or
repeats the others. django-tasks does not retry a task: on a failure that may pass (the
server unreachable or busy) ``send_notification`` queues itself again with ``run_after``
further and further off (``RETRY_DELAYS``), and gives up after the last.

Nothing logged or stored in a task result names an address: an SMTP error's text often
does (``SMTPRecipientsRefused`` holds the recipients, a reply may quote them), so the log
and the exceptions recorded say only the kind of message, its ids and the SMTP code.
"""

import datetime
import logging
import smtplib

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from rejoinder.discussion.models import Comment

from . import messages
from .recipients import claim_announcement, recipients

logger = logging.getLogger(__name__)

# Waits between attempts: six attempts over about eight and a half hours, long enough to
# outlast a mail server's restart or a provider's bad afternoon.
RETRY_DELAYS = [
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
    datetime.timedelta(hours=6),
]


class DeliveryDeferred(Exception):
    """An attempt failed and the message is queued again (the task result says why).

    Its text names no address: the failure is described by ``describe_failure()``.
    """


class DeliveryFailed(Exception):
    """Sending failed for good (a permanent refusal, or the last attempt); address-free."""


@task()
def send_notification(kind, comment_id=None, subscription_id=None, subscriber_id=None, attempt=1):
    """Build one notification (``messages.build_message``) and send it.

    Returns "sent", or "skipped" when the message no longer applies. A temporary failure
    queues the next attempt and raises ``DeliveryDeferred``, so this attempt is recorded
    as failed with the reason; a permanent one raises ``DeliveryFailed``. Neither carries
    the SMTP error itself (raised ``from None``), whose text may hold the address.
    """
    ids = {
        "comment_id": comment_id,
        "subscription_id": subscription_id,
        "subscriber_id": subscriber_id,
    }
    message = messages.build_message(kind, **ids)
    if message is None:
        return "skipped"
    try:
        message.send()
    except Exception as error:
        failure = describe_failure(error)
        what = f"a {kind} email ({_describe_ids(ids)})"
        if not is_temporary(error) or attempt > len(RETRY_DELAYS):
            logger.error("Gave up sending %s after %d attempts: %s.", what, attempt, failure)
            raise DeliveryFailed(
                f"Gave up sending {what} after {attempt} attempts: {failure}."
            ) from None
        run_after = timezone.now() + RETRY_DELAYS[attempt - 1]
        send_notification.using(run_after=run_after).enqueue(kind=kind, **ids, attempt=attempt + 1)
        when = run_after.isoformat(timespec="seconds")
        logger.warning("Could not send %s: %s; attempt %d at %s.", what, failure, attempt + 1, when)
        raise DeliveryDeferred(
            f"Attempt {attempt} to send {what} failed: {failure}; attempt {attempt + 1} is "
            f"queued for {when}."
        ) from None
    return "sent"


@task()
def notify_subscribers(comment_id):
    """Queue one email per subscribed address about a published comment.

    Each address hears of a comment once, even if it is published again after being
    unpublished: the task first claims the comment (``claim_announcement``,
    a conditional update of ``Comment.announced_at``), and only the one that gets it
    queues the email, in the same transaction: a failure to queue it rolls the claim back
    too, and the comment is announced when next published. Returns how many messages
    were queued.
    """
    with transaction.atomic():
        if not claim_announcement(comment_id):
            return 0
        comment = Comment.objects.select_related("post", "post__author", "user").get(pk=comment_id)
        chosen = recipients(comment)
        for kind, subscription in chosen:
            send_notification.enqueue(
                kind=kind.value, comment_id=comment.pk, subscription_id=subscription.pk
            )
    return len(chosen)


def describe_failure(error):
    """What went wrong in sending, without any address: the error's kind and SMTP code(s).

    An SMTP error's text, and a refusal's list of recipients, may name the address, so
    neither is used.
    """
    name = type(error).__name__
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _reply in error.recipients.values()})
        return f"{name}, SMTP {'/'.join(map(str, codes))}" if codes else name
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{name}, SMTP {error.smtp_code}"
    if isinstance(error, OSError) and error.errno is not None:
        return f"{name}, errno {error.errno}"
    return name


def _describe_ids(ids):
    return ", ".join(f"{name} {value}" for name, value in ids.items() if value is not None)


def is_temporary(error):
    """Whether sending again later may succeed.

    Yes for an unreachable, disconnecting or busy server (4xx replies) and for a refused
    login (an operator fixes the password, and the queue goes out); no for a permanent
    refusal (5xx), which would be refused again.
    """
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _reply in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    return isinstance(error, smtplib.SMTPException | OSError)
