"""Fast writes of many rows for importers: ids given out first, one prepared INSERT.

Django's ``bulk_create`` prepares every value of every row through its query compiler;
at 100,000 comments that costs more than the import itself. Here the ids are taken up
front (so a row can carry its own id in a derived column, like a comment's path), and the
rows go in through one ``executemany`` of a prepared INSERT. Values pass through the
backend's own adapters (datetimes, IP addresses), so the stored data is what the ORM
would have stored. Call inside a transaction.
"""

import operator

from django.db import connection, models


def allocate_ids(model, count):
    """``count`` new primary keys for ``model``, never used before, in increasing order."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, model._meta.pk.column, count],
            )
            return sorted(row[0] for row in cursor.fetchall())
        # SQLite: the transaction holds the write lock (IMMEDIATE), so nobody else inserts
        # meanwhile; AUTOINCREMENT's sequence remembers ids of deleted rows too.
        cursor.execute(f'SELECT COALESCE(MAX("{model._meta.pk.column}"), 0) FROM "{table}"')
        highest = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(highest, row[0] if row else 0) + 1
        ids = list(range(start, start + count))
        if row:
            cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [ids[-1], table])
        else:
            cursor.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, ids[-1]]
            )
        return ids


def _adapter(field):
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.GenericIPAddressField):
        return ops.adapt_ipaddressfield_value
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    return None


def insert_rows(objects, batch_size=2000, model=None):
    """INSERT ``objects`` with one prepared statement.

    ``objects`` are model instances with their pk set, or, with ``model`` given, plain
    namespaces of attribute values (cheaper to make than model instances).
    """
    if not objects:
        return
    model = model or type(objects[0])
    fields = model._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: E501
    values_of = operator.attrgetter(*(field.attname for field in fields))
    adapters = [(i, adapt) for i, field in enumerate(fields) if (adapt := _adapter(field))]
    rows = []
    for obj in objects:
        row = list(values_of(obj))
        for i, adapt in adapters:
            row[i] = adapt(row[i])
        rows.append(row)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            cursor.executemany(sql, rows[start : start + batch_size])
