"""Long unbroken text in a comment (inline code, an address) stays inside its box on a phone."""

import pytest

from tests.factories import make_comment, make_post

pytestmark = pytest.mark.django_db

PHONE = {"width": 390, "height": 844}


def test_long_inline_code_and_words_wrap_inside_the_comment(
    live_server, new_context, lenient_rules
):
    """At 390 px the page does not scroll sideways and the code stays in its comment."""
    post = make_post(title="Hashes")
    ann = make_comment(post, name="Ann", body="The digest: `" + "0123456789abcdef" * 16 + "`")
    make_comment(post, parent=ann, name="B" * 90, body="https://example.org/" + "x" * 300)
    page = new_context(viewport=PHONE).new_page()
    page.goto(f"{live_server.url}{post.get_absolute_url()}")
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    for selector in (f"#comment-{ann.pk} .e-content code", ".comment .e-content p"):
        inside = page.evaluate(
            """(selector) => [...document.querySelectorAll(selector)].every((el) => {
                const box = el.closest('.comment').getBoundingClientRect();
                return el.getBoundingClientRect().right <= box.right + 0.5;
            })""",
            selector,
        )
        assert inside, selector
