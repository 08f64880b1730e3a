"""Background work of the discussion: notification email (django-tasks, database backend).

The worker (``rejoinder db_worker``, started by ``rejoinder run``) runs these. Each message
is its own task, so one failing address or a mail server outage never holds up or
repeats the others. django-tasks does not retry a task: on a failure that may pass (the
server unreachable or busy) ``send_notification`` queues itself again with ``run_after``
further and further off (``RETRY_DELAYS``), and gives up after the last.
"""

import datetime
import logging
import smtplib

from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from . import notifications
from .models import Comment

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
    """An attempt failed and the message is queued again (the task result says why)."""


@task()
def send_notification(kind, comment_id=None, subscription_id=None, subscriber_id=None, attempt=1):
    """Build one notification (``notifications.build_message``) and send it.

    Returns "sent", or "skipped" when the message no longer applies. A temporary failure
    queues the next attempt and raises ``DeliveryDeferred``, so this attempt is recorded
    as failed with the reason.
    """
    ids = {
        "comment_id": comment_id,
        "subscription_id": subscription_id,
        "subscriber_id": subscriber_id,
    }
    message = notifications.build_message(kind, **ids)
    if message is None:
        return "skipped"
    try:
        message.send()
    except Exception as error:
        if not is_temporary(error) or attempt > len(RETRY_DELAYS):
            logger.error("Gave up sending a %s email after %d attempts: %s", kind, attempt, error)
            raise
        run_after = timezone.now() + RETRY_DELAYS[attempt - 1]
        send_notification.using(run_after=run_after).enqueue(kind=kind, **ids, attempt=attempt + 1)
        logger.warning(
            "Could not send a %s email (%s); attempt %d at %s.",
            kind,
            error,
            attempt + 1,
            run_after.isoformat(timespec="seconds"),
        )
        raise DeliveryDeferred(
            f"Attempt {attempt} failed ({error!r}); attempt {attempt + 1} is queued "
            f"for {run_after.isoformat(timespec='seconds')}."
        ) from error
    return "sent"


@task()
def notify_subscribers(comment_id):
    """Queue one email per subscribed address about a published comment.

    Each address hears of a comment once, even if it is published again after being
    unpublished: a comment already announced is not announced again. Returns how many
    messages were queued.
    """
    comment = (
        Comment.objects.select_related("post", "post__author", "user").filter(pk=comment_id).first()
    )
    if comment is None or comment.status != Comment.Status.APPROVED:
        return 0
    announced = DBTaskResult.objects.filter(
        task_path=notify_subscribers.module_path,
        status=TaskResultStatus.SUCCESSFUL,
        args_kwargs__kwargs__comment_id=comment_id,
    )
    if announced.exists():
        return 0
    chosen = notifications.recipients(comment)
    for kind, subscription in chosen:
        send_notification.enqueue(
            kind=kind.value, comment_id=comment.pk, subscription_id=subscription.pk
        )
    return len(chosen)


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
