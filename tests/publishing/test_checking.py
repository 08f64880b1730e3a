"""Archive and verify: a post's quotations checked against source pages a test server serves."""

import gzip
import hashlib

import pytest
from django.core.management import call_command

from rejoinder.publishing import checking, fetcher
from rejoinder.publishing.models import Quotation, SourceArchive
from tests.factories import make_post
from tests.html import soup
from tests.publishing.article_pages import ARTICLE, semantic_page, serving

pytestmark = pytest.mark.django_db


class Pages:
    """What the test server answers, path by path; tests change it as they go."""

    def __init__(self):
        self.bodies = {"/article": semantic_page().encode()}


@pytest.fixture
def site(settings):
    """An article server on loopback, which the fetcher may reach only because of this."""
    settings.QUOTE_FETCH_ALLOW_LOOPBACK = True
    fetcher.clear_robots_cache()
    pages = Pages()
    with serving(pages.bodies) as origin:
        yield pages, origin


def quoting(url, *passages, title="Quoting the council"):
    blocks = "\n\n".join(f'> {p}\n> — The Courier, "Bridge vote", {url}' for p in passages)
    return make_post(title=title, body=f"Intro.\n\n{blocks}\n\nOur answer.")


EXACT = ARTICLE[4]  # "Engineers told the council in March that the bridge’s deck plates …"
ELIDED = (
    "The decision … means the 140-year-old iron crossing will carry only pedestrians, "
    "cyclists and the number 4 bus [from April] once repairs begin in April."
)
CHANGED = EXACT.replace("a fifth", "a quarter")


def statuses(post):
    return [q.status for q in post.quotations.order_by("position")]


def test_exact_and_elided_quotations_verify_and_readers_see_the_mark(site, client):
    pages, origin = site
    post = quoting(f"{origin}/article", EXACT, ELIDED)
    assert statuses(post) == ["not_checked", "not_checked"]
    assert checking.check_post(post) == 2
    assert statuses(post) == ["verified", "verified"]
    archived = SourceArchive.objects.get()
    assert archived.http_status == 200
    assert archived.sha256 == hashlib.sha256(pages.bodies["/article"]).hexdigest()
    assert gzip.decompress(bytes(archived.raw_gzip)) == pages.bodies["/article"]
    assert "Engineers told the council in March" in archived.text
    page = soup(client.get(post.get_absolute_url()))
    mark = page.select_one("blockquote#quotation-1 .quote-check")
    assert "checked against the source on" in mark.get_text()
    archive_page = client.get(mark.a["href"])
    assert archive_page.status_code == 200
    assert "Engineers told the council in March" in archive_page.content.decode()
    raw = client.get(mark.a["href"], {"raw": ""})
    assert raw["Content-Type"] == "application/gzip"
    assert "attachment" in raw["Content-Disposition"]


def test_one_changed_word_differs_with_the_diff(site):
    _pages, origin = site
    post = quoting(f"{origin}/article", CHANGED)
    checking.check_post(post)
    quotation = post.quotations.get()
    assert quotation.status == Quotation.Check.DIFFERS
    assert "fifth" in quotation.diff and "quarter" in quotation.diff


def test_a_missing_page_is_unavailable(site):
    _pages, origin = site
    post = quoting(f"{origin}/gone", EXACT)
    checking.check_post(post)
    quotation = post.quotations.select_related("archive").get()
    assert quotation.status == Quotation.Check.UNAVAILABLE
    assert quotation.archive.http_status == 404


def test_an_article_edited_after_publishing_is_flagged_on_recheck(site, client):
    pages, origin = site
    post = quoting(f"{origin}/article", EXACT)
    checking.check_post(post)
    assert statuses(post) == ["verified"]
    pages.bodies["/article"] = semantic_page([CHANGED, *ARTICLE[5:]]).encode()
    call_command("check_sources", "--recheck", stdout=open("/dev/null", "w"))  # noqa: SIM115
    quotation = post.quotations.get()
    assert quotation.status == Quotation.Check.CHANGED
    assert "quarter" in quotation.diff
    assert SourceArchive.objects.count() == 2, "each fetch is kept"
    page = soup(client.get(post.get_absolute_url()))
    assert page.select_one("blockquote#quotation-1 .quote-check") is None


def test_loopback_sources_are_refused_in_production(site, settings):
    _pages, origin = site
    settings.QUOTE_FETCH_ALLOW_LOOPBACK = False
    post = quoting(f"{origin}/article", EXACT)
    checking.check_post(post)
    quotation = post.quotations.select_related("archive").get()
    assert quotation.status == Quotation.Check.UNAVAILABLE
    assert quotation.archive.http_status is None and quotation.archive.error


def test_a_private_address_is_refused_whatever_the_setting(settings, db):
    settings.QUOTE_FETCH_ALLOW_LOOPBACK = True
    post = quoting("http://10.0.0.8/article", EXACT)
    checking.check_post(post)
    assert statuses(post) == ["unavailable"]
    assert "10.0.0.8" not in post.quotations.get().diff


def test_the_panel_shows_the_share_and_the_editor_is_warned(site, client, editor, settings):
    _pages, origin = site
    post = quoting(f"{origin}/article", *ARTICLE[:6])
    checking.check_post(post)
    line = soup(client.get(post.get_absolute_url())).select_one("aside.sources li.source")
    assert "% of the source)" in line.get_text()
    from rejoinder.publishing import quotations

    settings.QUOTE_SHARE_WARNING = 10
    [over] = quotations.over_share(post, 10)
    assert over.share > 0.10
    assert quotations.over_share(post, 99) == []


def test_the_archived_copy_of_a_draft_is_not_public(site, client, editor):
    from rejoinder.publishing.models import Post

    _pages, origin = site
    post = quoting(f"{origin}/article", EXACT)
    post.status = Post.Status.DRAFT
    post.save()
    checking.check_post(post)
    archived = SourceArchive.objects.get()
    assert client.get(archived.get_absolute_url()).status_code == 404
    client.force_login(editor)
    assert client.get(archived.get_absolute_url()).status_code == 200


def test_a_changed_source_stays_flagged_on_later_checks(site):
    pages, origin = site
    post = quoting(f"{origin}/article", EXACT)
    checking.check_post(post)
    pages.bodies["/article"] = semantic_page([CHANGED, *ARTICLE[5:]]).encode()
    checking.check_post(post)
    checking.check_post(post)  # the same changed page again
    assert statuses(post) == ["changed"]
