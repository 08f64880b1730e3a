"""The reader's pages in Chromium with assistive technology in mind: axe-core, keyboard,
focus, reduced motion, and the thread's nesting as the accessibility tree shows it.

axe-core comes from npm (``scripts/test`` installs it under ``.cache/node``) and is
injected into each page; the contexts bypass the pages' CSP for that injection only.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from rejoinder.discussion.models import Comment
from tests.browser.actions import log_in
from tests.factories import make_comment, make_user
from tests.reader_pages import build_site, node_tool

# axe-core's impact levels that fail the test; "minor" and "moderate" are reported only.
FAILING = {"serious", "critical"}


def axe_violations(page: Page):
    """axe-core's violations on the page as it is now (the WCAG 2.x A/AA rules and best
    practices that axe runs by default)."""
    page.add_script_tag(path=str(node_tool("axe-core/axe.min.js")))
    results = page.evaluate("async () => await axe.run(document)")
    assert len(results["passes"]) > 10, "axe-core checked next to nothing: is the page empty?"
    return results["violations"]


def check(page: Page, where, found):
    """Collect ``where``'s serious and critical violations into ``found``; lesser ids too."""
    for violation in axe_violations(page):
        nodes = [", ".join(node["target"]) for node in violation["nodes"][:3]]
        found.append((violation["impact"], f"{where}: {violation['id']} {nodes}"))


def report(found):
    failing = [text for impact, text in found if impact in FAILING]
    lesser = sorted({text.split(" [", 1)[0] for impact, text in found if impact not in FAILING})
    return (
        f"{len(failing)} serious or critical:\n"
        + "\n".join(failing)
        + ("\n(lesser: " + "; ".join(lesser) + ")" if lesser else "")
    )


@pytest.fixture
def site(db, lenient_rules):
    return build_site()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_reader_pages_have_no_serious_axe_violations(scheme, site, live_server, new_context):
    """The front page, the demo post, a deep thread (and its reply form open), search
    results, an archive page and a refused comment form: no serious or critical axe-core
    violation, in light and dark colours."""
    page = new_context(bypass_csp=True, color_scheme=scheme).new_page()
    found = []
    local = site.flagship.published_at
    for where, url in [
        ("front", "/"),
        ("post", site.flagship.get_absolute_url()),
        ("deep thread", site.deep.get_absolute_url()),
        ("search", "/?s=bridge"),
        ("archive", f"/{local:%Y}/{local:%m}/"),
    ]:
        page.goto(url)
        check(page, where, found)
    page.goto(site.flagship.get_absolute_url())
    page.get_by_label("Email", exact=True).fill("not an address")
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator(".field-error").first).to_be_visible()
    check(page, "refused form", found)
    page.goto(site.deep.get_absolute_url())
    page.locator(f"#comment-{site.deepest.pk} .reply-link").click()
    expect(page.locator(f"#comment-{site.deepest.pk} form#respond")).to_be_visible()
    check(page, "reply form open", found)
    assert not [f for f in found if f[0] in FAILING], report(found)


def test_the_moderation_queue_has_no_serious_axe_violations(site, live_server, new_context):
    """The admin's moderation queue, with comments waiting, as a moderator sees it."""
    for n in range(3):
        make_comment(site.deep, name=f"Waiting {n}", status=Comment.Status.PENDING)
    moderator = make_user("axe-moderator", role="moderator")
    page = new_context(bypass_csp=True).new_page()
    log_in(page, moderator.username)
    page.goto(reverse("admin:discussion_comment_queue"))
    found = []
    check(page, "moderation queue", found)
    assert not [f for f in found if f[0] in FAILING], report(found)


def ax_node(page: Page, selector):
    """Chromium's accessibility node of the element (what a screen reader is given)."""
    cdp = page.context.new_cdp_session(page)
    root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    found = cdp.send("Accessibility.getPartialAXTree", {"nodeId": node, "fetchRelatives": False})
    ax = found["nodes"][0]
    cdp.detach()
    properties = {p["name"]: p["value"].get("value") for p in ax.get("properties", [])}
    return ax["role"]["value"], ax["name"].get("value"), properties


def test_the_skip_link_comes_first_and_moves_focus_to_the_content(page: Page, site, live_server):
    """The first Tab reaches a visible "Skip to content"; following it puts focus in the
    main content, so the next Tab skips the header's search."""
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert skip.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"  # focus shows
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_the_reply_form_takes_focus_and_gives_it_back(page: Page, site, live_server):
    """Reply (by keyboard) moves focus to the form's text box; Escape closes the form and
    returns focus to that Reply link; so does the "Cancel reply" button."""
    page.goto(site.deep.get_absolute_url())
    comment = page.locator(f"#comment-{site.deepest.pk}")
    reply = comment.locator(":scope > .comment-body .reply-link")
    textarea = page.get_by_label("Comment", exact=True)
    reply.focus()
    page.keyboard.press("Enter")
    expect(comment.locator("form#respond")).to_be_visible()
    expect(textarea).to_be_focused()
    page.keyboard.press("Escape")
    expect(reply).to_be_focused()
    expect(page.locator("#comments > form#respond .respond-title")).to_have_text("Leave a comment")
    page.keyboard.press("Enter")
    expect(textarea).to_be_focused()
    cancel = page.get_by_role("button", name="Cancel reply")
    cancel.focus()
    page.keyboard.press("Enter")
    expect(reply).to_be_focused()
    expect(cancel).to_be_hidden()


def test_threads_fold_by_keyboard_and_say_so(page: Page, site, live_server):
    """A branch's "Hide N replies" is in the Tab order after the comment's links, folds on
    Enter and unfolds on Space, and the accessibility tree reports it expanded or not (a
    <summary> is a disclosure button with native aria-expanded)."""
    page.goto(site.deep.get_absolute_url())
    root = f"#comment-{site.deep.comments.get(parent=None).pk}"
    replies = site.deep.comments.exclude(parent=None).count()
    summary = page.locator(f"{root} > details.replies > summary")
    page.locator(f"{root} > .comment-body .reply-link").focus()
    page.keyboard.press("Tab")
    expect(summary).to_be_focused()
    assert ax_node(page, f"{root} > details > summary") == (
        "DisclosureTriangle",
        f"Hide {replies} replies",
        {"focusable": True, "focused": True, "expanded": True},
    )
    page.keyboard.press("Enter")
    expect(page.locator(f"#comment-{site.deepest.pk}")).to_be_hidden()
    _role, name, properties = ax_node(page, f"{root} > details > summary")
    assert (name, properties["expanded"]) == (f"Show {replies} replies", False)
    page.keyboard.press("Space")
    expect(page.locator(f"#comment-{site.deepest.pk}")).to_be_visible()
    assert ax_node(page, f"{root} > details > summary")[2]["expanded"] is True


def test_nesting_reaches_assistive_technology_as_list_levels(page: Page, site, live_server):
    """Each reply is a list item whose level is its depth in the thread (top-level
    comments are the thread's articles; their replies are level 1, and so on)."""
    page.goto(site.deep.get_absolute_url())
    for comment in site.deep.comments.exclude(parent=None):
        role, _name, properties = ax_node(page, f"li:has(> #comment-{comment.pk})")
        assert (role, properties.get("level")) == ("listitem", comment.depth), comment.pk


@pytest.mark.parametrize("motion", ["reduce", "no-preference"])
def test_motion_follows_the_readers_preference(motion, site, live_server, new_context):
    """With reduced motion asked for, nothing scrolls smoothly or transitions; without,
    in-page links scroll smoothly."""
    page = new_context(reduced_motion=motion).new_page()
    page.goto(site.flagship.get_absolute_url())
    scroll = page.evaluate("getComputedStyle(document.documentElement).scrollBehavior")
    durations = page.evaluate(
        "[...document.querySelectorAll('a, button, summary')]"
        ".map(e => getComputedStyle(e).transitionDuration)"
    )
    if motion == "reduce":
        assert scroll == "auto"
        assert set(durations) == {"0s"}
    else:
        assert scroll == "smooth"


def test_keyboard_focus_is_always_visible(page: Page, site, live_server):
    """Every element the first 40 Tabs reach on the post page shows a focus outline."""
    page.goto(site.flagship.get_absolute_url())
    unmarked = []
    for _ in range(40):
        page.keyboard.press("Tab")
        style = page.evaluate(
            "(() => { const e = document.activeElement, s = getComputedStyle(e);"
            " return [e.outerHTML.slice(0, 80), s.outlineStyle, s.outlineWidth]; })()"
        )
        if style[1] == "none" or style[2] == "0px":
            unmarked.append(style[0])
    assert unmarked == []


def test_loading_more_comments_moves_focus_to_them(page: Page, site, live_server, settings):
    """ "Load more comments" by keyboard: the next threads join the page and focus goes to
    the first of them, so reading goes on there (the link is gone after the last page)."""
    settings.COMMENTS_PAGE_THRESHOLD = 20
    settings.COMMENT_THREADS_PER_PAGE = 10
    page.goto(site.big.get_absolute_url())
    threads = page.locator("[data-thread] > article")
    expect(threads).to_have_count(10)
    page.get_by_role("link", name="Load more comments").focus()
    page.keyboard.press("Enter")
    expect(threads).to_have_count(20)
    expect(threads.nth(10)).to_be_focused()
