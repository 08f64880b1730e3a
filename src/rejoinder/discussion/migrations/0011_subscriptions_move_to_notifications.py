# Subscriber and Subscription now belong to the notifications app: they leave this app's
# state only. Their tables stay until notifications' 0002 renames them.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("discussion", "0010_spam_thresholds_are_probabilities"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Subscription"),
                migrations.DeleteModel(name="Subscriber"),
            ],
        ),
    ]
