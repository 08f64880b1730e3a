"""A comment costs CPU in proportion to its length, whatever a hostile reader puts in it.

Every stage a stranger's text goes through before it is refused or stored (the spam
classifier, the Markdown, the sanitizer, the duplicate check, and the whole POST) is fed
the worst inputs we know of for it, at the body's limit (20,000 characters), and must stay
under a per-character CPU budget. Budgets are CPU time of this process (robust to other
load on the machine), the best of three runs, and several times what the linear code
needs: the quadratic cases they guard against cost 50-70 µs a character (a second or more
for one comment), the linear code 1-10 µs.
"""

import time
from types import SimpleNamespace

import pytest

from rejoinder.discussion import comments, moderation, spam, stamps
from rejoinder.discussion.forms import BODY_LIMIT
from rejoinder.discussion.models import Comment
from rejoinder.discussion.thread.locations import post_comment_url
from rejoinder.publishing import markup
from tests.factories import comment_form, make_comment, make_post

# The worst inputs found for each stage (tests/discussion/test_cpu_budget.py's docstring).
WORST_TEXTS = {
    # The classifier's old email pattern backtracked once per character of a run of word
    # characters with no "@" (quadratic), and so did a run of hyphens before one "@".
    "word run": "a" * BODY_LIMIT,
    "hyphens then @": "-" * (BODY_LIMIT - 1) + "@",
    "long domain": "a@" + "b" * (BODY_LIMIT - 2),
    "many addresses": "x.y@e.fg " * (BODY_LIMIT // 9),
    # markdown-it's smart quotes rebuilt the block for each quote mark (quadratic).
    "quote marks": ("'a\" " * BODY_LIMIT)[:BODY_LIMIT],
    "spaced quotes": (" '\"" * BODY_LIMIT)[:BODY_LIMIT],
    # Link labels and emphasis: linear in markdown-it-py 4, kept here so it stays so.
    "open brackets": "[" * BODY_LIMIT,
    "bracket quote": ("['" * BODY_LIMIT)[:BODY_LIMIT],
    "image brackets": ("![" * BODY_LIMIT)[:BODY_LIMIT],
    "unclosed links": ("[a](" * BODY_LIMIT)[:BODY_LIMIT],
    "emphasis": ("*_" * BODY_LIMIT)[:BODY_LIMIT],
    "angle brackets": "<" * BODY_LIMIT,
    "bare addresses": ("www.a.b/" * BODY_LIMIT)[:BODY_LIMIT],
}

# Nested and misnested tags for the sanitizer (imported comments and editors' HTML).
WORST_HTML = {
    "nested formatting": ("<b><i>" * BODY_LIMIT)[:BODY_LIMIT],
    "misnested blocks": ("<div><b>" * BODY_LIMIT)[:BODY_LIMIT],
    "stray closers": ("<b></p>" * BODY_LIMIT)[:BODY_LIMIT],
    "open tags": "<" * BODY_LIMIT,
}

MICROSECOND = 1e-6


def cpu_per_character(function, text, runs=3):
    """The best of ``runs`` CPU times of ``function(text)``, per character of ``text``."""
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        function(text)
        best = min(best, time.process_time() - start)
    return best / len(text)


def candidate(body_html, body=""):
    return SimpleNamespace(
        post=None,
        parent=None,
        user=None,
        author_name="Ann",
        author_email="",
        author_url="",
        user_agent="Mozilla/5.0",
        body=body,
        body_html=body_html,
        created_at=None,
    )


@pytest.mark.parametrize("name", WORST_TEXTS)
def test_the_classifier_is_linear_in_the_text(name):
    """The spam classifier's features of any comment cost under 10 µs a character."""
    text = WORST_TEXTS[name]
    # The classifier reads the rendered HTML; escaped text is what a reader's text becomes.
    body_html = f"<p>{text.replace('&', '&amp;').replace('<', '&lt;')}</p>"
    cost = cpu_per_character(lambda html: spam.features(candidate(html)), body_html)
    assert cost < 10 * MICROSECOND, f"{name}: {cost / MICROSECOND:.1f} µs a character"


@pytest.mark.parametrize("name", WORST_TEXTS)
@pytest.mark.parametrize(
    "render", [markup.render_comment_markdown, markup.render_post_markdown], ids=["comment", "post"]
)
def test_markdown_is_linear_in_the_text(name, render):
    """A reader's (and an author's) Markdown renders in under 25 µs a character."""
    cost = cpu_per_character(render, WORST_TEXTS[name])
    assert cost < 25 * MICROSECOND, f"{name}: {cost / MICROSECOND:.1f} µs a character"


def test_quote_marks_past_the_bound_stay_straight_and_the_rest_curl():
    """The smart quotes' bound keeps a busy block's quotes straight; ordinary text curls."""
    assert "“right”" in markup.render_comment_markdown('He said "right" and left.')
    busy = "'a\" " * (markup.SMARTQUOTES_LIMIT + 1)
    rendered = markup.render_comment_markdown(busy)
    assert "“" not in rendered and "’" not in rendered


@pytest.mark.parametrize("name", WORST_HTML)
@pytest.mark.parametrize(
    "sanitize",
    [markup.sanitize_comment_html, markup.sanitize_editor_html],
    ids=["comment", "editor"],
)
def test_the_sanitizer_is_linear_in_the_html(name, sanitize):
    """nh3 cleans any HTML in under 10 µs a character."""
    cost = cpu_per_character(sanitize, WORST_HTML[name])
    assert cost < 10 * MICROSECOND, f"{name}: {cost / MICROSECOND:.1f} µs a character"


@pytest.mark.django_db
def test_the_duplicate_check_is_linear_in_the_text(lenient_rules):
    """Checking a long comment against many long ones by the same reader stays cheap."""
    post = make_post()
    for n in range(30):
        make_comment(post, name="Ann", body=f"{n} " + "a" * (BODY_LIMIT - 10))
    text = "a" * BODY_LIMIT
    cost = cpu_per_character(
        lambda body: moderation.is_duplicate(
            SimpleNamespace(post=post, body=body, user=None, author_email="", author_name="Ann",
                            ip_address="192.0.2.1")
        ),
        text,
    )  # fmt: skip
    assert cost < 10 * MICROSECOND, f"{cost / MICROSECOND:.1f} µs a character"


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["word run", "quote marks", "open brackets"])
def test_a_whole_comment_post_is_linear_in_the_text(client, lenient_rules, name):
    """The form, the rules, the Markdown, the classifier and the save: under 50 µs a
    character for the worst body (a second at the limit, where the quadratic ones took
    five to twenty)."""
    post = make_post()
    start = time.process_time()
    response = client.post(post_comment_url(post), comment_form(body=WORST_TEXTS[name]))
    cost = (time.process_time() - start) / BODY_LIMIT
    assert response.status_code == 303
    assert cost < 50 * MICROSECOND, f"{name}: {cost / MICROSECOND:.1f} µs a character"


@pytest.mark.django_db
def test_cheap_refusals_come_before_the_text_is_read(rules, monkeypatch):
    """A form sent too fast, a banned reader and one over the flood limit are refused
    before the Markdown and the classifier read a character of the text."""
    from rejoinder.discussion.models import Ban

    rules.min_form_seconds, rules.flood_seconds, rules.hourly_limit = 5, 60, 0
    rules.save()
    post = make_post()

    def must_not_run(*args, **kwargs):
        raise AssertionError("the text was read before a cheap refusal")

    def comment(**fields):
        return comments.create_comment(
            post=post, body="x" * BODY_LIMIT, author_name="Ann",
            ip_address="192.0.2.7", **fields,
        )  # fmt: skip

    comments.create_comment(
        post=post, body="First.", author_name="Ann", ip_address="192.0.2.7",
        stamp=stamps.read(stamps.issue(time.time() - 60)),
    )  # fmt: skip
    monkeypatch.setattr(comments, "render_comment_markdown", must_not_run)
    monkeypatch.setattr(spam, "features", must_not_run)
    with pytest.raises(comments.CommentRefused, match="faster than a person types"):
        comment(stamp=stamps.read(stamps.issue(time.time() - 1)))
    with pytest.raises(comments.TooSoon, match="commenting too quickly"):
        comment(stamp=stamps.read(stamps.issue(time.time() - 60)))
    Ban.objects.create(ip_range="192.0.2.0/24", reason="test")
    with pytest.raises(comments.CommentRefused, match="cannot comment on this site"):
        comment(stamp=stamps.read(stamps.issue(time.time() - 60)))
    assert Comment.objects.count() == 1
