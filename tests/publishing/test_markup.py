import pytest
from bs4 import BeautifulSoup

from rejoinder.publishing.markup import parse_attribution, render_post_markdown

QUOTE = """Intro.

> The council approved the plan.
> — The Daily Example, "Council approves plan", https://example.com/plan?a=1&b=2

My answer.
"""


def test_blockquote_with_attribution_becomes_quotation():
    """A blockquote's attribution line becomes cite="URL" and a footer with <cite>."""
    rendered = render_post_markdown(QUOTE)
    assert '<blockquote cite="https://example.com/plan?a=1&amp;b=2">' in rendered.html
    assert "<footer>— <cite>The Daily Example, “<a" in rendered.html
    assert "— The Daily Example" not in rendered.html.split("<footer>")[0]
    [attribution] = rendered.attributions
    assert attribution.publisher == "The Daily Example"
    assert attribution.title == "Council approves plan"
    assert attribution.url == "https://example.com/plan?a=1&b=2"


def test_attribution_as_its_own_paragraph():
    """An attribution separated by a blank quoted line leaves no empty paragraph."""
    rendered = render_post_markdown("> Quoted.\n>\n> — Some Outlet\n")
    assert "<p></p>" not in rendered.html
    assert "<footer>— <cite>Some Outlet</cite></footer>" in rendered.html


def test_blockquote_without_attribution_stays_plain():
    """A quote without an attribution line is a plain blockquote with nothing parsed."""
    rendered = render_post_markdown("> Just a quote.\n")
    assert "<blockquote>" in rendered.html
    assert "<footer>" not in rendered.html
    assert rendered.attributions == []


def test_parse_attribution_parts():
    """Publisher, quoted title and URL are each optional."""
    assert parse_attribution("-- Outlet").publisher == "Outlet"
    only_url = parse_attribution("— https://example.org/x")
    assert (only_url.publisher, only_url.url) == ("", "https://example.org/x")
    assert parse_attribution("Not an attribution") is None


def test_scripts_and_event_handlers_are_removed():
    """Editor HTML keeps article tags but loses scripts, handlers and javascript: links."""
    html = render_post_markdown(
        '<script>alert(1)</script><img src="x.png" onerror="alert(1)">'
        '<a href="javascript:alert(1)">x</a> <em onclick="x()">ok</em>'
    ).html
    assert "<script" not in html and "alert" not in html
    assert "onerror" not in html and "onclick" not in html
    assert "javascript:" not in html
    assert '<img src="x.png">' in html and "<em>ok</em>" in html


def test_attribution_text_is_escaped():
    """Markup in an attribution line is shown as text, not run."""
    html = render_post_markdown('> q\n> — <b onmouseover="x()">Evil</b>, "t<script>"\n').html
    tree = BeautifulSoup(html, "html.parser")
    assert tree.find("script") is None and tree.find("b") is None
    assert not any(tag.has_attr("onmouseover") for tag in tree.find_all(True))
    assert "<b onmouseover=>Evil</b>" in tree.find("cite").get_text()


@pytest.mark.parametrize(
    "html",
    [
        '<footer class="quote-button">Over the page</footer>',
        '<p class="quote-button">fixed</p>',
        '<span class="site-footer skip-link">x</span>',
        '<blockquote class="quote-check"><p>q</p></blockquote>',
    ],
)
def test_an_authors_html_keeps_no_class(html):
    """The site's style sheet gives classes layout (``quote-button`` is position: fixed):
    an author's HTML keeps none, so nothing can overlay the page."""
    from rejoinder.publishing.markup import render_post_markdown, sanitize_editor_html

    for rendered in (render_post_markdown(html).html, sanitize_editor_html(html)):
        assert "class=" not in rendered


def test_comments_keep_only_the_documented_attributes():
    """nh3's generic attributes (title, lang) are not kept on a comment's elements; an
    imported comment keeps exactly its allow-list (``abbr title``, ``q cite``)."""
    from rejoinder.publishing.markup import sanitize_comment_html

    html = (
        '<p title="t" lang="fr" dir="rtl">a <b title="x">b</b> <abbr title="kept">c</abbr> '
        '<q cite="https://example.org/" lang="de">d</q> <a href="https://e.example/" '
        'title="hover">e</a></p>'
    )
    cleaned = sanitize_comment_html(html)
    assert cleaned == (
        '<p>a <b>b</b> <abbr title="kept">c</abbr> <q cite="https://example.org/">d</q> '
        '<a href="https://e.example/" rel="nofollow ugc noopener">e</a></p>'
    )
