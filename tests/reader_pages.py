"""The reader's pages of a demo site, for the checks that look at every page type.

``build_site()`` loads the first-run demo and adds what the demo lacks (a deep thread, a
big thread paged into ``comment-page-N``, an archived source, waiting email links);
``reader_pages()`` fetches one page of each type with Django's test client. The
validity, accessibility, weight and screenshot tests share them.

``node_tool()`` finds the npm packages ``scripts/test`` installs (axe-core, vnu-jar).
"""

import datetime
from dataclasses import dataclass
from pathlib import Path

from django.test import Client, override_settings
from django.utils import timezone

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / ".cache" / "node" / "node_modules"


def node_tool(relative):
    """The path of a file of an npm package under ``.cache/node``; a clear failure if absent.

    They are test tools, not Python packages, so they are not skipped when missing: a
    skipped check passes silently on exactly the machine that never ran it.
    """
    import pytest

    path = NODE_MODULES / relative
    if not path.is_file():
        pytest.fail(
            f"{path} is missing: run scripts/test once (it runs `npm install --prefix "
            f".cache/node axe-core vnu-jar`, and installs Java when run as root).",
            pytrace=False,
        )
    return path


@dataclass
class Site:
    author: object
    flagship: object  # the demo's post with its discussion
    deep: object  # a post with a thread nested to the depth cap and below it
    deepest: object  # the last comment of the deep chain
    big: object  # a post whose thread is paged
    page: object  # the demo's About page
    subscriber: object
    subscription: object
    pending: object  # a comment waiting for a moderator


def build_site(deep_levels=8):
    """The demo site plus a deep thread, a big thread, a source archive and email links."""
    from rejoinder.notifications.models import Subscriber, Subscription
    from rejoinder.operations.demo import load_demo
    from rejoinder.publishing.models import Post, Quotation, SourceArchive
    from tests.factories import make_comment, make_post, make_user

    author = make_user("demo", role="editor", first_name="Site", last_name="Editor")
    load_demo(author)
    flagship = Post.objects.get(slug="harbour-bridge-money")
    names = ["Alma", "Bruno", "Chiara", "Dmitri", "Esther", "Farid", "Greta", "Hugo"]
    deep = make_post(
        title="A long argument about ferries",
        author=author,
        body="Ferries are the *other* bridge.\n\nThe numbers follow.",
        published_at=flagship.published_at - datetime.timedelta(days=1),
        categories=flagship.categories.all(),
    )
    parent = None
    for level in range(deep_levels):
        name = names[level % len(names)]
        parent = make_comment(
            deep, parent, name=name, body=f"Level {level + 1}: I see it *differently*."
        )
        if level == 1:
            make_comment(deep, parent, name="Ines", body="A side remark.")
    deepest = parent
    big = make_post(
        title="Everyone has a view on parking",
        author=author,
        # Microseconds, as a post published "now" has: datetime attributes must drop them.
        published_at=flagship.published_at - datetime.timedelta(days=2, microseconds=123456),
    )
    for n in range(30):
        root = make_comment(big, name=names[n % len(names)], body=f"Thread {n + 1}.")
        make_comment(big, root, name="Juno", body=f"Agreed with thread {n + 1}.")
    quotation = Quotation.objects.filter(post=flagship).select_related("source").first()
    archive = SourceArchive.objects.create(
        source=quotation.source,
        final_url=quotation.source.url or "https://example.org/",
        http_status=200,
        sha256="0" * 64,
        text="The first paragraph as fetched.\nThe second.",
    )
    Quotation.objects.filter(pk=quotation.pk).update(archive=archive)
    subscriber = Subscriber.objects.create(
        email="reader@example.org", confirm_token="t" * 32, confirmation_sent_at=timezone.now()
    )
    subscription = Subscription.objects.create(subscriber=subscriber, post=flagship)
    pending = make_comment(flagship, name="Waiting", body="Held for a moderator.", status="pending")
    return Site(
        author=author,
        flagship=flagship,
        deep=deep,
        deepest=deepest,
        big=big,
        page=Post.objects.get(slug="about"),
        subscriber=subscriber,
        subscription=subscription,
        pending=pending,
    )


@override_settings(COMMENTS_PAGE_THRESHOLD=20, COMMENT_THREADS_PER_PAGE=10)
def reader_pages(site):
    """{name: (status, HTML)} of one page of each type, fetched with Django's test client.

    The big thread is paged: its threshold is lowered for the fetches.
    """
    from rejoinder.notifications import tokens
    from rejoinder.publishing.models import Quotation
    from tests.factories import comment_form

    client = Client()
    flagship = site.flagship
    post_url = flagship.get_absolute_url()
    first_comment = flagship.comments.filter(parent=None).order_by("pk").first()
    category = flagship.categories.first()
    tag = flagship.tags.first()
    local = timezone.localtime(flagship.published_at)
    quotation = Quotation.objects.filter(post=flagship, archive__isnull=False).first()
    pages = {
        "front": client.get("/"),
        "post": client.get(post_url),
        "post-deep": client.get(site.deep.get_absolute_url()),
        "page": client.get(site.page.get_absolute_url()),
        "category": client.get(category.get_absolute_url()),
        "tag": client.get(tag.get_absolute_url()),
        "archive-year": client.get(f"/{local:%Y}/"),
        "archive-month": client.get(f"/{local:%Y/%m}/"),
        "archive-day": client.get(f"/{local:%Y/%m/%d}/"),
        "search": client.get("/", {"s": "bridge"}),
        "search-empty": client.get("/", {"s": "zzzznothing"}),
        "comment-page": client.get(f"{site.big.get_absolute_url()}comment-page-2/"),
        "comment": client.get(site.deepest.get_absolute_url()),
        "reply": client.get(f"{post_url}comment-{first_comment.pk}/reply/"),
        "refused-form": client.post(
            f"{post_url}comments/", comment_form(body="", email="not an address")
        ),
        "not-found": client.get("/no/such/page/"),
        "sources": client.get("/sources/"),
        "source": client.get(f"/sources/{quotation.source.publisher_slug}/"),
        "source-archive": client.get(f"/sources/archive/{quotation.archive_id}/"),
        "mail-confirm": client.get(f"/comments/confirm/{site.subscriber.confirm_token}/"),
        "mail-confirm-invalid": client.get("/comments/confirm/used-or-unknown/"),
        "mail-unsubscribe": client.get(
            "/comments/unsubscribe/"
            f"{tokens.unsubscribe_token(site.subscriber.pk, site.subscription.pk)}/"
        ),
        "mail-unsubscribe-invalid": client.get("/comments/unsubscribe/nonsense/"),
        "mail-moderate": client.get(
            f"/comments/moderate/{tokens.moderation_token(site.pending, 'approve')}/"
        ),
        "login": client.get("/admin/login/"),
        "edit-closed": client.get(f"{post_url}comment-{first_comment.pk}/edit/"),
    }
    staff = Client()
    staff.force_login(site.author)
    pages["edit-comment"] = staff.get(f"{post_url}comment-{first_comment.pk}/edit/")
    return {
        name: (response.status_code, response.content.decode()) for name, response in pages.items()
    }
