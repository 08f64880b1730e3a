"""Quotations as data: found on save, tied to sources, counted, linked, filed by publisher."""

from pathlib import Path
from urllib.parse import unquote

import feedparser
import pytest
from django.core import serializers
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from rejoinder.interop.wordpress import import_wxr
from rejoinder.publishing import quotations
from rejoinder.publishing.models import Page, Post, Quotation, Source
from tests.factories import make_post
from tests.html import soup
from tests.publishing.test_admin import form_data

pytestmark = pytest.mark.django_db

SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "seed-post.wxr"
SEED_PERMALINK = "/2014/09/06/us-and-iran-indirect-confederates-or-allies-in-iraq/"

TWO_OUTLETS = """\
Intro.

> The first passage has exactly seven words.
> — Daily Planet, "Bridge money", https://planet.example/bridge

Our answer.

> A second passage from the same article, nine words.
> — Daily Planet, "Bridge money", https://planet.example/bridge

> Other outlet words here.
> — The Sentinel, "A reply", https://sentinel.example/reply

> Nobody said who wrote this.

Done.
"""


@pytest.fixture
def two_outlets():
    return make_post(title="Two outlets", body=TWO_OUTLETS)


def test_each_blockquote_is_a_quotation_in_order(two_outlets):
    found = list(two_outlets.quotations.select_related("source"))
    assert [q.position for q in found] == [1, 2, 3, 4]
    assert found[0].text == "The first passage has exactly seven words."
    assert found[0].source == found[1].source, "one article, one source"
    assert found[0].source.publisher == "Daily Planet"
    assert found[0].source.title == "Bridge money"
    assert found[2].source.url == "https://sentinel.example/reply"
    assert found[3].source is None, "unattributed"
    assert Source.objects.count() == 2


def test_the_panel_counts_passages_and_words_per_source(client, two_outlets):
    page = soup(client.get(two_outlets.get_absolute_url()))
    panel = page.select_one("aside.sources")
    lines = [" ".join(li.get_text(" ", strip=True).split()) for li in panel.select("li.source")]
    assert lines[0].startswith("Daily Planet , “Bridge money” — 2 passages, 16 words")
    assert lines[1].startswith("The Sentinel , “A reply” — 1 passage, 4 words")
    assert panel.select_one(".source-unattributed").get_text() == "And 1 unattributed passage."
    first = panel.select_one("li.source .source-passages a")
    assert first["href"] == "#quotation-1"
    assert page.select_one("blockquote#quotation-1") is not None


def test_each_attributed_quotation_links_to_its_passage(client, two_outlets):
    page = soup(client.get(two_outlets.get_absolute_url()))
    links = [a["href"] for a in page.select("blockquote .passage-link")]
    assert links == [
        "https://planet.example/bridge#:~:text=The%20first%20passage%20has%20exactly%20seven%20words",
        "https://planet.example/bridge#:~:text=A%20second%20passage%20from,same%20article%2C%20nine%20words",
        "https://sentinel.example/reply#:~:text=Other%20outlet%20words%20here",
    ]
    assert page.select_one("blockquote#quotation-4 .passage-link") is None


@pytest.mark.parametrize(
    ("text", "directive"),
    [
        ("Short and sweet.", "Short%20and%20sweet"),
        (
            "A well-known, oft-cited & quoted line",
            "A%20well%2Dknown%2C%20oft%2Dcited%20%26%20quoted%20line",
        ),
        (
            "they [the officials] breathed a sigh … of relief, it was over",
            "they%20breathed%20a%20sigh,relief%2C%20it%20was%20over",
        ),
        ("[air-]strikes were reported by officials on Monday", None),
    ],
)
def test_text_directives_follow_the_spec(text, directive):
    encoded = quotations.text_directive(text)
    if directive is not None:
        assert encoded == directive
    # Whatever the text, the directive holds no raw separator the spec reserves.
    for part in encoded.split(","):
        assert not set("&-,# ") & set(part)
        assert "[" not in unquote(part)


def test_sources_pages_and_feeds_file_every_post_by_publisher(client, two_outlets):
    index = soup(client.get("/sources/"))
    entries = [" ".join(li.get_text(" ", strip=True).split()) for li in index.select("li")]
    assert "Daily Planet — 2 passages in 1 post" in entries
    assert "The Sentinel — 1 passage in 1 post" in entries
    page = soup(client.get(reverse("publishing:source", kwargs={"slug": "daily-planet"})))
    assert page.select_one("h1").get_text() == "Quoted from Daily Planet"
    assert [a.get_text() for a in page.select("article h2 a")] == ["Two outlets"]
    passages = [bq.p.get_text() for bq in page.select("blockquote.passage")]
    assert passages[0] == "The first passage has exactly seven words."
    assert len(passages) == 2
    feed = feedparser.parse(client.get("/sources/daily-planet/feed/").content)
    assert feed.bozo == 0 and [e.title for e in feed.entries] == ["Two outlets"]
    assert client.get("/sources/nobody/").status_code == 404
    assert client.get("/sources/nobody/feed/").status_code == 404


def test_drafts_are_not_filed_under_their_sources(client):
    make_post(title="Draft", body=TWO_OUTLETS, status=Post.Status.DRAFT)
    assert "Daily Planet" not in client.get("/sources/").content.decode()
    page = client.get("/sources/daily-planet/").content.decode()
    assert "Draft" not in page


def test_a_cite_address_in_imported_html_names_the_source():
    post = make_post(
        body='<blockquote cite="https://old.example/a"><p>Imported words.</p></blockquote>',
        body_format=Post.Format.HTML,
    )
    [quotation] = post.quotations.all()
    assert quotation.source.url == "https://old.example/a"
    assert quotation.text == "Imported words."


def assign(client, post, sources):
    """Name the sources of the post's quotations through its admin screen."""
    rows = list(post.quotations.all())
    data = form_data(
        title=post.title,
        slug=post.slug,
        body=post.body,
        body_format=post.body_format,
        author=post.author_id,
        **{
            "published_at_0": post.published_at.strftime("%Y-%m-%d"),
            "published_at_1": post.published_at.strftime("%H:%M:%S"),
            "quotations-TOTAL_FORMS": str(len(rows)),
            "quotations-INITIAL_FORMS": str(len(rows)),
        },
    )
    for index, (row, source) in enumerate(zip(rows, sources, strict=True)):
        data[f"quotations-{index}-id"] = str(row.pk)
        data[f"quotations-{index}-post"] = str(post.pk)
        data[f"quotations-{index}-source"] = str(source.pk) if source else ""
        data[f"quotations-{index}-note"] = ""
    url = reverse("admin:publishing_post_change", args=[post.pk])
    response = client.post(url, data)
    assert response.status_code == 302, soup(response).select(".errorlist")


def test_the_seed_imported_is_twelve_unattributed_quotations_until_assigned(
    client, editor, settings
):
    """The acceptance test: import the seed, name its two outlets, see them counted."""
    settings.TIME_ZONE = "UTC"
    import_wxr(SEED)
    post = Post.objects.get()
    found = list(post.quotations.all())
    assert len(found) == 12 and all(q.source is None for q in found)
    page = soup(client.get(SEED_PERMALINK))
    assert page.select_one("aside.sources") is None, "nothing attributed yet"
    washington = Source.objects.create(publisher="Washington Post")
    jerusalem = Source.objects.create(publisher="Jerusalem Online")
    client.force_login(editor)
    assign(client, post, [washington] * 11 + [jerusalem])
    page = soup(client.get(SEED_PERMALINK))
    lines = [
        " ".join(li.get_text(" ", strip=True).split())
        for li in page.select("aside.sources li.source")
    ]
    wapo_words = sum(q.words for q in found[:11])
    jol_words = found[11].words
    assert lines[0].startswith(f"Washington Post — 11 passages, {wapo_words} words")
    assert lines[1].startswith(f"Jerusalem Online — 1 passage, {jol_words} words")
    assert page.select_one(".source-unattributed") is None
    # The writer's choice outlives another save of the post.
    post.refresh_from_db()
    post.save()
    assert Quotation.objects.filter(source=washington).count() == 11
    assert Quotation.objects.get(position=12).source == jerusalem


@pytest.mark.parametrize("scheme", ["javascript:alert(document.cookie)", "data:text/html,x"])
def test_a_cite_that_is_not_a_web_address_never_becomes_a_link(client, scheme):
    post = make_post(body=f'<blockquote cite="{scheme}"><p>Words.</p></blockquote>\n\nMine.')
    [quotation] = post.quotations.all()
    assert quotation.source is None
    page = soup(client.get(post.get_absolute_url()))
    hrefs = [a["href"] for a in page.select("a[href]")]
    assert not [h for h in hrefs if h.lower().startswith(("javascript:", "data:"))]


def test_a_draft_files_nothing_under_its_publisher(client):
    make_post(title="Draft", body=TWO_OUTLETS, status=Post.Status.DRAFT)
    assert client.get("/sources/daily-planet/").status_code == 404
    assert client.get("/sources/daily-planet/feed/").status_code == 404


def test_a_passage_added_above_does_not_take_anothers_source(client, editor):
    post = make_post(title="Moving", body="> Alpha words here.\n\n> Beta words here.\n\nEnd.")
    first, second = Source.objects.create(publisher="One"), Source.objects.create(publisher="Two")
    client.force_login(editor)
    assign(client, post, [first, second])
    post.refresh_from_db()
    post.body = "> A new passage.\n\n" + post.body
    post.save()
    by_text = {q.text: q.source for q in post.quotations.select_related("source")}
    assert by_text == {
        "A new passage.": None,
        "Alpha words here.": first,
        "Beta words here.": second,
    }
    # An edited passage (its old words gone) keeps the source of its place.
    post.body = post.body.replace("Beta words here.", "Beta words, corrected.")
    post.save()
    assert post.quotations.get(position=3).source == second


def test_an_attribution_line_in_imported_html_names_the_source():
    body = (
        "<blockquote><p>Imported words.</p>"
        '<p>— Daily Planet, "Bridge money", https://planet.example/bridge</p></blockquote>'
    )
    post = make_post(body=body, body_format=Post.Format.HTML)
    [quotation] = post.quotations.select_related("source")
    assert quotation.text == "Imported words."
    assert (quotation.source.publisher, quotation.source.url) == (
        "Daily Planet",
        "https://planet.example/bridge",
    )


# Found on every save: a receiver of the post's save (publishing/signal_handlers.py).


def test_saving_a_public_post_queues_one_check_of_its_sources_after_the_commit(
    django_capture_on_commit_callbacks,
):
    """A public post quoting an address not checked yet queues a check once it commits."""
    with django_capture_on_commit_callbacks(execute=True):
        post = make_post(body=TWO_OUTLETS)
        assert DBTaskResult.objects.count() == 0, "not before the commit"
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "rejoinder.publishing.tasks.check_post_sources"
    assert queued.args_kwargs["args"] == [post.pk]


@pytest.mark.parametrize(
    ("status", "body"),
    [(Post.Status.DRAFT, TWO_OUTLETS), (Post.Status.PUBLISHED, "> Nobody said who.\n\nMine.")],
)
def test_a_draft_or_a_post_quoting_no_address_queues_no_check(
    django_capture_on_commit_callbacks, status, body
):
    with django_capture_on_commit_callbacks(execute=True):
        post = make_post(body=body, status=status)
    assert post.quotations.exists()
    assert not DBTaskResult.objects.exists()


def test_a_pages_quotations_are_found_on_save_too():
    """Signals name the class saved: a page (a proxy of Post) is synced like a post."""
    page = make_post(type=Post.Type.PAGE, slug="about-quotes", body=TWO_OUTLETS)
    assert type(page) is Page
    assert page.quotations.count() == 4
    assert 'id="quotation-1"' in Post.objects.get(pk=page.pk).body_html


def test_the_quotations_are_found_in_the_posts_own_transaction(monkeypatch):
    """A failure finding them leaves no post behind, half-saved without its quotations."""

    def failing(post):
        raise RuntimeError("sync failed")

    monkeypatch.setattr(quotations, "sync", failing)
    with pytest.raises(RuntimeError, match="sync failed"):
        make_post(title="Never saved", body=TWO_OUTLETS)
    assert not Post.objects.filter(title="Never saved").exists()


def test_a_post_loaded_raw_from_a_fixture_is_not_synced():
    """``loaddata`` saves rows as they are (it never called ``Post.save``): no quotations
    are made from a fixture's post."""
    post = make_post(body=TWO_OUTLETS)
    data = serializers.serialize("json", [post])
    Post.objects.filter(pk=post.pk).delete()
    [loaded] = serializers.deserialize("json", data)
    loaded.save()
    assert Post.objects.filter(pk=post.pk).exists()
    assert not Quotation.objects.filter(post_id=post.pk).exists()
