"""The table of the "limits" cache (flood and email limits) when no Redis is configured.

Made whatever the settings say today, so a site that drops Redis later still has it.
"""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "rejoinder_limits"


def create(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_roles")]

    operations = [migrations.RunPython(create, drop)]
