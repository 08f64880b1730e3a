"""Posting rules: each refusal names the field and its limit, and keeps the typed text."""

import datetime
import time

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.utils import timezone

from rejoinder.discussion import stamps
from rejoinder.discussion.comments import (
    CommentRefused,
    comments_open,
    create_comment,
    delete_comment,
    set_status,
)
from rejoinder.discussion.forms import CommentForm
from rejoinder.discussion.models import Comment
from rejoinder.discussion.thread.locations import post_comment_url
from rejoinder.publishing.models import Post
from tests.factories import comment_form, make_comment, make_post, make_user
from tests.html import soup

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("lenient_rules")]

BAD_EMAIL = "enter a valid address, like name@example.org, or leave it empty."
BAD_URL = "enter a web address starting with http:// or https://, or leave it empty."


@pytest.fixture
def post():
    return make_post(title="Open post")


def send(client, post, **fields):
    data = comment_form(**{"email": "", "website": "", **fields})
    return client.post(post_comment_url(post), data)


def form_errors(response):
    page = soup(response)
    return [e.get_text() for e in page.select(".field-error, .form-errors p")]


def test_a_reader_comments_without_an_account(client, post):
    """Name and text suffice; the reader lands on the comment, the count moves to 1."""
    response = send(client, post, website="https://ann.example", email="ann@example.org")
    assert response.status_code == 303
    comment = Comment.objects.get()
    assert response["Location"] == f"{post.get_absolute_url()}#comment-{comment.pk}"
    assert (comment.author_name, comment.author_url) == ("Ann", "https://ann.example")
    assert comment.status == Comment.Status.APPROVED
    assert comment.ip_address == "127.0.0.1"
    post.refresh_from_db()
    assert post.comment_count == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Name: required when you are not signed in."),
        ({"name": "n" * 101}, "Name: at most 100 characters (you typed 101)."),
        ({"email": "not-an-email"}, f"Email: {BAD_EMAIL}"),
        ({"email": "a" * 250 + "@x.org"}, "Email: at most 254 characters (you typed 256)."),
        ({"website": "javascript:alert(1)"}, f"Website: {BAD_URL}"),
        ({"website": "ftp://files.example"}, f"Website: {BAD_URL}"),
        ({"body": ""}, "Comment: write something (1 to 20,000 characters)."),
        ({"body": "   "}, "Comment: write something (1 to 20,000 characters)."),
        ({"body": "x" * 20_001}, "Comment: at most 20,000 characters (you typed 20001)."),
    ],
)  # fmt: skip
def test_invalid_input_is_refused_naming_the_field(client, post, fields, message):
    """The refusal names field and limit, nothing is saved, and the text stays in the form."""
    typed = {"body": "My carefully typed reply.", "name": "Ann", **fields}
    response = send(client, post, **typed)
    assert response.status_code == 400
    assert message in form_errors(response)
    assert not Comment.objects.exists()
    page = soup(response)
    assert page.select_one("textarea[name=body]").get_text().strip() == typed["body"].strip()
    if typed["name"]:
        assert page.select_one("input[name=name]")["value"] == typed["name"]


def test_reply_to_a_held_comment_is_refused(client, post):
    """Only approved comments can be answered."""
    held = make_comment(post, status=Comment.Status.PENDING)
    response = send(client, post, parent=held.pk, body="Kept text")
    assert response.status_code == 400
    assert "That comment can no longer be replied to (it was deleted or is held)." in form_errors(
        response
    )
    assert Comment.objects.count() == 1
    assert soup(response).select_one("textarea[name=body]").get_text().strip() == "Kept text"


def test_reply_to_a_comment_of_another_post_is_refused(client, post):
    """A reply stays on its parent's post."""
    elsewhere = make_comment(make_post())
    response = send(client, post, parent=elsewhere.pk)
    assert "You can only reply to comments on this post." in form_errors(response)


def test_reply_to_a_deleted_comment_is_refused(client, post):
    """A parent that no longer exists is named as such."""
    response = send(client, post, parent=999999)
    assert "The comment you replied to no longer exists." in form_errors(response)


def test_closed_post_takes_no_comments(client):
    """Nothing is accepted on a closed post, and the page says comments are closed."""
    closed = make_post(comment_status=Post.CommentStatus.CLOSED)
    response = send(client, closed)
    assert "Comments are closed on this post." in form_errors(response)
    assert not Comment.objects.exists()
    page = soup(client.get(closed.get_absolute_url()))
    assert page.select_one(".comments-closed").get_text() == "Comments are closed."
    assert page.select_one("form#respond") is None


def test_comments_close_automatically_after_n_days(settings):
    """With the setting on, a post older than N days is closed; off by default."""
    old = make_post(published_at=timezone.now() - datetime.timedelta(days=15))
    assert comments_open(old)
    settings.CLOSE_COMMENTS_AFTER_DAYS = 14
    assert not comments_open(old)
    with pytest.raises(CommentRefused):
        make_comment(old)
    assert comments_open(make_post(published_at=timezone.now() - datetime.timedelta(days=13)))


def test_drafts_take_no_comments(client):
    """A post readers cannot see cannot be commented on."""
    draft = make_post(status=Post.Status.DRAFT)
    assert send(client, draft).status_code == 404


def test_signed_in_reader_comments_as_themselves(client, post):
    """An account needs no name field; the comment carries the user."""
    user = make_user("reader", first_name="Rae", last_name="Der")
    client.force_login(user)
    response = client.post(post_comment_url(post), comment_form(body="Signed in."))
    assert response.status_code == 303
    comment = Comment.objects.get()
    assert (comment.user, comment.author_name) == (user, "Rae Der")


def test_comment_markdown_is_a_safe_subset(client, post):
    """Emphasis, links (nofollow ugc), code, quotes and lists; no images, no raw HTML."""
    body = (
        "*yes* [link](https://x.example) `code`\n\n> quoted\n\n- item\n\n"
        "![img](https://x/i.png) <b onclick=x()>raw</b>"
    )
    send(client, post, body=body)
    html = Comment.objects.get().body_html
    tree = BeautifulSoup(html, "html.parser")
    assert tree.select_one("em").get_text() == "yes"
    assert tree.select_one("a")["rel"] == ["nofollow", "ugc", "noopener"]
    assert tree.select_one("code") and tree.select_one("blockquote") and tree.select_one("li")
    assert tree.select("img") == [] and tree.select("b") == []
    assert "<b onclick=x()>raw</b>" in tree.get_text()


def test_create_comment_takes_every_field_for_importers(post):
    """Importers give parent, time and status and bypass the readers' rules."""
    moment = timezone.now() - datetime.timedelta(days=400)
    parent = make_comment(post, status=Comment.Status.TRASH, enforce_rules=False)
    reply = create_comment(
        post=post,
        parent=parent,
        body="Old reply",
        author_name="Old",
        author_email="old@example.org",
        ip_address="203.0.113.9",
        created_at=moment,
        status=Comment.Status.SPAM,
        type=Comment.Type.PINGBACK,
        enforce_rules=False,
    )
    reply.refresh_from_db()
    assert (reply.parent, reply.created_at, reply.status) == (parent, moment, Comment.Status.SPAM)
    assert (reply.type, reply.depth, reply.thread_id) == (Comment.Type.PINGBACK, 1, parent.pk)
    assert reply.path.startswith(parent.path) and len(reply.path) == 2 * len(parent.path)


def test_count_follows_status_changes(post):
    """The count beside the title counts approved comments only."""
    first = make_comment(post)
    make_comment(post)
    set_status(first, Comment.Status.SPAM)
    post.refresh_from_db()
    assert post.comment_count == 1


def test_refused_reply_still_shows_what_it_answers(client, post):
    """A reply refused for its text keeps the parent quoted above the form."""
    parent = make_comment(post, name="Quoted Person")
    response = send(client, post, parent=parent.pk, body="")
    page = soup(response)
    assert page.select_one("h1").get_text() == "Reply to Quoted Person"
    assert page.select_one("form#respond input[name=parent]")["value"] == str(parent.pk)


def test_only_web_addresses_become_links(client, post):
    """A stored website that is not http(s) (an old import, say) is shown as plain text."""
    comment = make_comment(post, name="Old", author_url="javascript:alert(1)", enforce_rules=False)
    page = soup(client.get(post.get_absolute_url()))
    author = page.select_one(f"#comment-{comment.pk} .p-author")
    assert author.select("a") == [] and author.get_text() == "Old"


def test_an_optional_fields_error_is_read_out_with_it(client, post):
    """A refused email or website: the field points screen readers at its note and at
    its error message."""
    response = client.post(post_comment_url(post), comment_form(email="not an address"))
    assert response.status_code == 400
    page = soup(response)
    field = page.select_one("#id_email")
    assert field["aria-describedby"].split() == ["id_email-hint", "id_email_error"]
    assert "valid address" in page.select_one("#id_email_error").get_text()


def test_the_empty_form_is_rendered_once_and_each_reader_gets_a_fresh_stamp(client, post, settings):
    """Most readers get the same empty form: it is rendered once per process, the same
    HTML a fresh render gives, with the time it is served signed into it each time."""
    settings.PAGE_CACHE = False  # every visit renders the page

    def without_stamp(html):
        form = BeautifulSoup(html, "html.parser").select_one("#respond")
        stamp = form.select_one('input[name="issued"]')
        issued = stamps.read(stamp["value"]).issued
        stamp["value"] = ""
        return str(form), issued

    first, first_time = without_stamp(client.get(post.get_absolute_url()).content)
    time.sleep(1.05)
    second, second_time = without_stamp(client.get(post.get_absolute_url()).content)
    assert first == second
    assert second_time > first_time >= int(time.time()) - 5
    context = {
        "form": CommentForm(user=AnonymousUser()),
        "post_comment_url": post_comment_url(post),
        "request": None,
    }
    assert without_stamp(render_to_string("discussion/_form.html", context))[0] == first
    # A signed-in reader's form is their own: the CSRF token, no name field.
    client.force_login(make_user("signed-in-reader"))
    mine = soup(client.get(post.get_absolute_url())).select_one("#respond")
    assert mine.select_one('input[name="csrfmiddlewaretoken"]') is not None
    assert mine.select_one('input[name="name"]') is None


@pytest.mark.django_db(transaction=True)  # the key is checked when the comment commits
def test_a_reply_whose_parent_is_deleted_meanwhile_is_refused_with_nothing_written(client):
    """The form's view reads the parent before the comment's transaction: deleted in
    between (a comment without replies goes for good), the reply is refused by name."""
    post = make_post(title="Open post")
    parent = make_comment(post, name="Ann")
    as_read = Comment.objects.get(pk=parent.pk)  # the view has read it ...
    delete_comment(parent)  # ... its writer deletes it (a leaf: gone for good) ...
    with pytest.raises(CommentRefused) as refused:  # ... and the reply goes in
        create_comment(post=post, parent=as_read, body="Too late.", author_name="Bo")
    assert (refused.value.field, refused.value.message) == (
        "parent",
        "The comment you replied to no longer exists.",
    )
    assert not Comment.objects.filter(post=post).exists()
    assert Post.objects.get(pk=post.pk).comment_count == 0
