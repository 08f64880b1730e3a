"""The full-text index: an FTS5 table on SQLite, an expression GIN index on PostgreSQL."""

from django.db import migrations

SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS publishing_post_fts USING fts5("
    "title, body, tokenize = 'porter unicode61 remove_diacritics 2')"
)
SQLITE_FILL = (
    "INSERT INTO publishing_post_fts (rowid, title, body) "
    "SELECT id, title, body_text FROM publishing_post"
)
PG_CREATE = (
    "CREATE INDEX IF NOT EXISTS publishing_post_search ON publishing_post "
    "USING GIN (to_tsvector('english', title || ' ' || body_text))"
)


def create_index(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE)
        schema_editor.execute(SQLITE_FILL)
    elif connection.vendor == "postgresql":
        schema_editor.execute(PG_CREATE)


def drop_index(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS publishing_post_fts")
    elif connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS publishing_post_search")


class Migration(migrations.Migration):
    dependencies = [("publishing", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
