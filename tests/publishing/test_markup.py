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
