"""Subscriptions moved from the discussion app to this one without losing anything.

A site that ran the discussion app's migrations keeps its subscribers and subscriptions
(the same rows, on tables now named for this app), the content types and so permissions
on them, and the notification tasks queued before the upgrade (django-tasks stores a
task's import path). Run backwards to the discussion app's last migration with them, and
forwards again, on SQLite and PostgreSQL.
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_tasks_db.models import DBTaskResult

from rejoinder.notifications.models import Subscriber, Subscription
from rejoinder.notifications.tasks import send_notification
from tests.factories import make_comment, make_post

BEFORE = [("discussion", "0010_spam_thresholds_are_probabilities"), ("notifications", None)]


def migrate(targets):
    """Migrate to ``targets``; the models as they stand then."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_subscriptions_survive_the_move_both_ways():
    post = make_post()
    comment = make_comment(post)
    subscriber = Subscriber.objects.create(email="reader@example.org")
    subscription = Subscription.objects.create(subscriber=subscriber, post=post, comment=comment)
    ContentType.objects.get_for_model(Subscriber)  # as post_migrate made it
    queued = send_notification.enqueue(kind="confirm", subscriber_id=subscriber.pk)

    old = migrate(BEFORE)
    tables = connection.introspection.table_names()
    assert "discussion_subscriber" in tables and "notifications_subscriber" not in tables
    old_subscription = old.get_model("discussion", "Subscription").objects.get()
    assert (old_subscription.pk, old_subscription.subscriber.email) == (
        subscription.pk,
        "reader@example.org",
    )
    assert ContentType.objects.filter(app_label="discussion", model="subscriber").exists()
    assert DBTaskResult.objects.get(pk=queued.id).task_path == (
        "rejoinder.discussion.tasks.send_notification"
    )

    migrate(latest())
    tables = connection.introspection.table_names()
    assert "notifications_subscription" in tables and "discussion_subscription" not in tables
    moved = Subscription.objects.select_related("subscriber").get()
    assert (moved.pk, moved.comment_id, moved.subscriber.email) == (
        subscription.pk,
        comment.pk,
        "reader@example.org",
    )
    assert not ContentType.objects.filter(app_label="discussion", model="subscriber").exists()
    assert ContentType.objects.get_for_model(Subscriber).app_label == "notifications"
    task = DBTaskResult.objects.get(pk=queued.id)
    assert task.task_path == "rejoinder.notifications.tasks.send_notification"
    assert task.task.func is send_notification.func  # the worker can import what it runs
