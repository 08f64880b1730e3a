"""Any Unicode through comment → page → feeds → export → import: no 500, no invalid XML.

Text is drawn from every code point (control characters, unassigned ones, private use,
noncharacters, and lone surrogates where the transport can carry them: JSON can, a UTF-8
form cannot). It goes in through the comment form and the JSON API (the doors, which refuse
what XML cannot carry, naming the field), and straight into stored rows (as an old import
or a path not thought of would leave it). Every page and feed must answer, every feed and
the WordPress export must be well-formed XML, and the export must import again.
"""

import io
import json
import time

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from rejoinder.core.text import find_control_character
from rejoinder.discussion.forms import issue_stamp
from rejoinder.discussion.models import Comment
from rejoinder.discussion.thread.locations import post_comment_url
from rejoinder.interop.api.mount import api_url
from rejoinder.interop.wordpress import import_wxr
from rejoinder.interop.wxr_export import export_wxr
from rejoinder.publishing.models import Post
from tests.factories import comment_form, make_comment, make_post, make_user
from tests.properties.test_properties import PROPERTY_SETTINGS

# Every code point, surrogates included; the awkward ones made likely.
AWKWARD = "\x00\x01\x07\x08\x0b\x0c\x0e\x1b\x1f\x7f\x85\ud800\udfff\ufffe\uffff\u202e\u200b"
any_text = st.text(
    alphabet=st.one_of(
        st.characters(codec=None, categories=None),  # every code point
        st.sampled_from(AWKWARD),
        st.sampled_from("<>&\"'[]*_`\n "),
    ),
    min_size=1,
    max_size=30,
)

FEEDS = ["/feed/", "/feed/atom/", "/comments/feed/", "/comments/feed/atom/"]


def utf8_safe(text):
    """What a browser's form can send: no lone surrogates (UTF-8 cannot encode them)."""
    return "".join(char for char in text if not "\ud800" <= char <= "\udfff")


def well_formed(data):
    """Parse ``data`` as XML 1.0, strictly (no recovery); return the root."""
    return etree.fromstring(data, etree.XMLParser(recover=False, resolve_entities=False))


@pytest.mark.django_db
@PROPERTY_SETTINGS
@given(name=any_text, body=any_text, stored=any_text)
def test_any_unicode_never_breaks_a_page_a_feed_or_the_export(
    lenient_rules, tmp_path_factory, name, body, stored
):
    """The doors answer 303/201 or a refusal naming the field; no answer is a 5xx; every
    feed and the export are well-formed XML; the export imports again."""
    with transaction.atomic():
        make_user("admin", superuser=True)
        post = make_post(title="Any text")
        client = Client()
        form = client.post(
            post_comment_url(post),
            comment_form(name=utf8_safe(name)[:100] or "x", body=utf8_safe(body), email=""),
        )
        assert form.status_code in (303, 400), form.status_code
        api = client.post(
            api_url("create", post_id=post.pk),
            json.dumps({"name": name[:100], "body": body, "issued": issue_stamp(time.time() - 60)}),
            content_type="application/json",
        )
        # Taken, refused by the form's rules (422) or by the workflow (400: the same text
        # the form just sent is a duplicate), always as a problem document naming why.
        assert api.status_code in (201, 400, 422), api.status_code
        if api.status_code != 201:
            assert api.json()["detail"]
        for comment in Comment.objects.all():  # what the doors let in is XML-safe
            assert find_control_character(comment.author_name + comment.body) is None
        # Rows holding anything a database can hold (PostgreSQL takes no NUL, and neither
        # engine's driver a lone surrogate), as an old import might have left them.
        stored = utf8_safe(stored).replace("\x00", "") or "x"
        make_comment(post, name="Importer", body="imported")
        Comment.objects.filter(author_name="Importer").update(
            author_name=stored, body_html=f"<p>{stored}</p>"
        )
        Post.objects.filter(pk=post.pk).update(title=stored, body_html=f"<p>{stored}</p>")
        post.refresh_from_db()
        for url in [post.get_absolute_url(), "/", f"{post.get_absolute_url()}feed/", *FEEDS]:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            if "feed" in url:
                well_formed(response.content)
        exported = io.BytesIO()
        export_wxr(exported)
        well_formed(exported.getvalue())
        path = tmp_path_factory.mktemp("export") / "site.xml"
        path.write_bytes(exported.getvalue())
        Comment.objects.all().delete()
        Post.objects.all().delete()
        report = import_wxr(path)
        assert report is not None
        assert Post.objects.filter(type=Post.Type.POST).count() == 1
        transaction.set_rollback(True)
