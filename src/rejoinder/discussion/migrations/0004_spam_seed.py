"""Train the spam classifier's shipped model: our own corpus (spam_seed/corpus.json)."""

from django.db import migrations

from rejoinder.discussion.spam import load_corpus, train_corpus


def seed(apps, schema_editor):
    train_corpus(apps.get_model("discussion", "SpamToken"), load_corpus())


def unseed(apps, schema_editor):
    # By then the counts mix the seed with moderators' decisions: start from nothing.
    apps.get_model("discussion", "SpamToken").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("discussion", "0003_moderation")]

    operations = [migrations.RunPython(seed, unseed)]
