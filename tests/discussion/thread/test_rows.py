"""The one thread row: its fields, datetimes aware by type, text escaped for HTML."""

import datetime
from dataclasses import fields
from html import escape

import pytest
from django.db import models

from rejoinder.discussion.models import Comment
from rejoinder.discussion.thread import rows
from tests.factories import make_comment, make_post

pytestmark = pytest.mark.django_db

HOSTILE = '"><svg/onload=alert(1)>'


def model_field(name):
    return Comment._meta.get_field(name)


def test_every_row_field_is_a_comment_field():
    """The row's columns are read from Comment by name; the node's own state is not."""
    assert rows.FIELDS[:3] == rows.SHAPE_FIELDS
    for name in rows.FIELDS:
        model_field(name)  # raises FieldDoesNotExist for a misspelt field
    assert "children" not in rows.FIELDS and "level" not in rows.FIELDS


def test_columns_are_converted_by_their_model_field_type():
    """Every DateTimeField is made aware, every text field but the one marked HTML escaped:
    chosen by type, so a new field of either type needs no line elsewhere."""
    datetimes = {n for n in rows.FIELDS if isinstance(model_field(n), models.DateTimeField)}
    texts = {
        n for n in rows.FIELDS if isinstance(model_field(n), (models.CharField, models.TextField))
    }
    assert {rows.FIELDS[i] for i in rows.DATETIMES} == datetimes == {"created_at", "edited_at"}
    assert {rows.FIELDS[i] for i in rows.TEXTS} == texts - {"body_html"}
    marked = [f.name for f in fields(rows.Node) if f.metadata.get("html")]
    assert marked == ["body_html"]


def test_fetched_datetimes_are_aware_on_every_database():
    """Read through the driver (SQLite's gives naive UTC), every datetime comes back aware
    and equal to the stored one."""
    comment = make_comment(make_post())
    comment.edited_at = comment.created_at + datetime.timedelta(minutes=3)
    comment.save(update_fields=["edited_at"])
    [node] = rows.fetch(Comment.objects.filter(pk=comment.pk))
    for index in rows.DATETIMES:
        value = getattr(node, rows.FIELDS[index])
        assert value.tzinfo is not None
        assert value == getattr(comment, rows.FIELDS[index])


def test_nodes_for_html_have_every_text_field_escaped():
    """Escaped nodes carry every text field HTML-escaped; body_html as stored; raw nodes
    (the API's) carry the values as stored."""
    comment = make_comment(make_post(), name="Ann")
    # As much of the hostile value as each column holds (status holds ten characters).
    values = {rows.FIELDS[i]: HOSTILE[: model_field(rows.FIELDS[i]).max_length] for i in rows.TEXTS}
    Comment.objects.filter(pk=comment.pk).update(**values, body_html="<p>kept</p>")
    queryset = Comment.objects.filter(pk=comment.pk)
    [raw], [escaped] = rows.fetch(queryset), rows.fetch(queryset, escaped=True)
    assert not raw.escaped and escaped.escaped
    for name, value in values.items():
        assert getattr(raw, name) == value
        assert getattr(escaped, name) == escape(value) != value
    assert raw.body_html == escaped.body_html == "<p>kept</p>"


def test_a_saved_comment_makes_the_node_a_fetch_makes():
    """from_comment() (the API's answer to a new comment) and fetch() give the same row."""
    comment = make_comment(make_post(), author_url="https://ann.example/")
    [fetched] = rows.fetch(Comment.objects.filter(pk=comment.pk))
    made = rows.from_comment(Comment.objects.get(pk=comment.pk))
    for name in rows.FIELDS:
        assert bool(getattr(made, name)) == bool(getattr(fetched, name)), name
        if not isinstance(model_field(name), models.BooleanField):
            assert getattr(made, name) == getattr(fetched, name), name
