# The moved tables take this app's names; what a site stored under the discussion app's
# names follows: the content types (so the permissions and admin history on them), and
# notification tasks queued before the move (django-tasks stores a task's import path, and
# a retry may be hours off).
from django.db import migrations

OLD_TASKS = "rejoinder.discussion.tasks."
NEW_TASKS = "rejoinder.notifications.tasks."
MODELS = ("subscriber", "subscription")


def forwards(apps, schema_editor):
    _move(apps, "discussion", "notifications", OLD_TASKS, NEW_TASKS)


def backwards(apps, schema_editor):
    _move(apps, "notifications", "discussion", NEW_TASKS, OLD_TASKS)


def _move(apps, from_app, to_app, from_tasks, to_tasks):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label=to_app, model=model).exists():
            ContentType.objects.filter(app_label=from_app, model=model).update(app_label=to_app)
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    for name in ("send_notification", "notify_subscribers"):
        DBTaskResult.objects.filter(task_path=from_tasks + name).update(task_path=to_tasks + name)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        migrations.AlterModelTable(name="subscriber", table=None),
        migrations.AlterModelTable(name="subscription", table=None),
        migrations.RunPython(forwards, backwards),
    ]
