"""The thread on the post page: microformats, depth cap, collapsing, big threads."""

import mf2py
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rejoinder.discussion.models import Comment, path_segment
from rejoinder.discussion.thread.locations import post_comment_url
from tests.factories import comment_form, make_comment, make_post, make_user
from tests.html import soup

pytestmark = pytest.mark.django_db


def seed_thread(post, author):
    """The seed page's argument: 2 -> 1, 3 -> 2, 4 (the author) -> 3, 5 -> 3, 6 -> 5."""
    c1 = make_comment(post, name="Alpha")
    c2 = make_comment(post, c1, name="Bravo")
    c3 = make_comment(post, c2, name="Charlie")
    c4 = make_comment(post, c3, user=author)
    c5 = make_comment(post, c3, name="Delta", author_url="https://delta.example")
    c6 = make_comment(post, c5, name="Echo")
    return [c1, c2, c3, c4, c5, c6]


def comment_tree(html, url):
    """{id: [child ids]} of the p-comment h-cite tree mf2py finds in the h-entry."""
    parsed = mf2py.parse(doc=html, url=url)
    [entry] = [item for item in parsed["items"] if "h-entry" in item["type"]]
    found = {}

    def walk(items, parent):
        for item in items:
            cid = int(item["properties"]["url"][0].rsplit("#comment-", 1)[1])
            found[cid] = parent
            walk(item["properties"].get("comment", []), cid)

    walk(entry["properties"].get("comment", []), None)
    return found, entry


def test_seed_thread_parses_as_that_tree(client):
    """mf2py reads exactly the seed's parents; only the author's reply has the badge."""
    author = make_user("writer", first_name="Site", last_name="Author")
    post = make_post(author=author)
    c1, c2, c3, c4, c5, c6 = seed_thread(post, author)
    response = client.get(post.get_absolute_url())
    html = response.content.decode()
    url = f"http://testserver{post.get_absolute_url()}"
    parents, entry = comment_tree(html, url)
    expected = {c1.pk: None, c2.pk: c1.pk, c3.pk: c2.pk, c4.pk: c3.pk, c5.pk: c3.pk, c6.pk: c5.pk}
    assert parents == expected
    page = soup(response)
    assert page.select_one("h1 .comment-count").get_text() == "6"
    badged = [
        a["id"]
        for a in page.select("article.comment")
        if a.select_one(":scope > .comment-body .badge")
    ]
    assert badged == [f"comment-{c4.pk}"]
    first = entry["properties"]["comment"][0]["properties"]
    assert first["author"][0]["properties"]["name"] == ["Alpha"]
    assert first["in-reply-to"] == [url]
    assert first["published"] and first["content"][0]["value"].startswith("Comment number")
    delta = page.select_one(f"#comment-{c5.pk} .p-author a.p-name")
    assert delta["href"] == "https://delta.example" and delta["rel"] == ["nofollow", "ugc"]


def test_reply_links_name_whom_they_answer(client):
    """Each reply link's accessible name is "Reply to <name>" and works without script."""
    post = make_post()
    comment = make_comment(post, name="Alpha")
    link = soup(client.get(post.get_absolute_url())).select_one(
        f"#comment-{comment.pk} a.reply-link"
    )
    assert link["aria-label"] == "Reply to Alpha"
    reply_page = soup(client.get(link["href"]))
    assert (
        reply_page.select_one("blockquote.replying-to")
        .get_text(" ", strip=True)
        .startswith("Comment number")
    )
    assert reply_page.select_one("form#respond input[name=parent]")["value"] == str(comment.pk)
    labels = [label.get_text(" ", strip=True) for label in reply_page.select("form#respond label")]
    assert labels == [
        "Name",
        "Email",
        "Website",
        "Comment",
        "Email me replies to my comment",
        "Email me every new comment on this post",
        "Save my name, email and website in this browser for the next time I comment",
        "Leave this field empty",  # the robots' field, hidden from people
    ]
    hint = reply_page.select_one("#id_email-hint").get_text()
    assert hint == "(optional)"
    assert reply_page.select_one("#id_email")["aria-describedby"] == "id_email-hint"
    assert reply_page.select_one("form#respond button[type=submit]").get_text() == "Post comment"


def test_replies_deeper_than_the_cap_show_at_the_cap(client, settings):
    """Past N levels, replies sit at level N and say whom they answer, linking to them."""
    settings.THREAD_DEPTH = 3
    post = make_post()
    chain = [make_comment(post, name="Root")]
    for n in range(5):
        chain.append(make_comment(post, chain[-1], name=f"Level {n + 1}"))
    page = soup(client.get(post.get_absolute_url()))
    deepest = page.select_one(f"#comment-{chain[5].pk}")
    assert len(deepest.find_parents("article", class_="comment")) == 2  # level 3 of 3
    note = deepest.select_one(".in-reply-to a.u-in-reply-to")
    assert note.get_text() == "Level 4"
    assert note["href"].endswith(f"#comment-{chain[4].pk}")


def test_branches_collapse_and_say_how_many_replies(client):
    """Every branch is a <details> whose summary counts the replies it hides."""
    post = make_post()
    root = make_comment(post)
    child = make_comment(post, root)
    make_comment(post, child)
    make_comment(post, root)
    page = soup(client.get(post.get_absolute_url()))
    summary = page.select_one(f"#comment-{root.pk} > details.replies > summary")
    assert summary.get_text(" ", strip=True) == "Hide Show 3 replies"
    assert page.select_one(f"#comment-{root.pk} > details.replies").has_attr("open")


def big_thread(post, top_level, replies_each):
    for _ in range(top_level):
        parent = make_comment(post)
        for _ in range(replies_each):
            parent = make_comment(post, parent)


def test_big_threads_come_a_page_of_threads_at_a_time(client, settings):
    """Above the threshold: the first threads, "Load more" to a page URL, budgets per thread."""
    settings.COMMENTS_PAGE_THRESHOLD = 20
    settings.COMMENT_THREADS_PER_PAGE = 3
    settings.THREAD_DEPTH = 10
    post = make_post()
    big_thread(post, top_level=7, replies_each=8)
    page = soup(client.get(post.get_absolute_url()))
    roots = page.select("[data-thread] > article")
    assert len(roots) == 3
    # 20 // 3 = 6 comments per thread; the other 3 of each chain are "3 more replies".
    assert len(roots[0].select("article")) == 5
    more = roots[0].select_one(".more-replies a")
    assert more.get_text() == "3 more replies"
    load_more = page.select_one("a[data-load-more]")
    assert load_more["href"] == f"{post.get_absolute_url()}comment-page-2/#comments"
    second = soup(client.get(load_more["href"].split("#")[0]))
    assert len(second.select("[data-thread] > article")) == 3
    third = soup(client.get(f"{post.get_absolute_url()}comment-page-3/"))
    assert len(third.select("[data-thread] > article")) == 1
    assert third.select_one("a[data-load-more]") is None
    assert client.get(f"{post.get_absolute_url()}comment-page-4/").status_code == 404
    fragment = client.get(f"{post.get_absolute_url()}comment-page-2/", {"fragment": "threads"})
    assert b"<html" not in fragment.content and b"data-thread" in fragment.content
    # The "more" link opens the comment's own page with the rest and its ancestors.
    own = soup(client.get(more["href"]))
    assert len(own.select(".ancestors li")) == 5
    assert len(own.select(".thread article")) == 4


def test_query_count_is_flat_in_the_number_of_comments(client, settings):
    """The post page makes as many queries with 1,000 comments as with 10."""
    settings.COMMENTS_PAGE_THRESHOLD = 5000
    counts = []
    for size in (10, 1000):
        post = make_post()
        Comment.objects.bulk_create(
            [Comment(post=post, author_name="x", body="b", status="approved") for _ in range(size)]
        )
        created = list(Comment.objects.filter(post=post))
        for comment in created:
            comment.path = path_segment(comment.pk)
            comment.thread_id = comment.pk
        Comment.objects.bulk_update(created, ["path", "thread"])
        post.comment_count = size
        post.save()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(post.get_absolute_url())
        assert response.content.count(b'class="comment p-comment') == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_paged_thread_query_count_is_flat(client, settings):
    """A big thread's first page costs the same queries at 100 and 600 comments."""
    settings.COMMENTS_PAGE_THRESHOLD = 10
    counts = []
    for threads in (10, 60):
        post = make_post()
        big_thread(post, top_level=threads, replies_each=9)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(post.get_absolute_url()).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_cached_thread_never_outlives_a_change(client):
    """An anonymous reader's cached thread is replaced by every comment change."""
    post = make_post()
    first = make_comment(post, body="First version")
    assert b"First version" in client.get(post.get_absolute_url()).content
    make_comment(post, body="A new comment")
    assert b"A new comment" in client.get(post.get_absolute_url()).content
    from rejoinder.discussion.comments import edit_comment

    edit_comment(first, "Edited version")
    html = client.get(post.get_absolute_url()).content
    assert b"Edited version" in html and b"First version" not in html


def test_cached_thread_is_not_served_to_its_commenter(client, lenient_rules):
    """The reader who just commented sees their Edit link although others share a cache."""
    post = make_post()
    make_comment(post)
    client.get(post.get_absolute_url())  # fills the cache for anonymous readers
    client.post(post_comment_url(post), comment_form(name="Me", body="Mine"))
    mine = Comment.objects.latest("pk")
    page = soup(client.get(post.get_absolute_url()))
    assert page.select_one(f"#comment-{mine.pk} a.edit-link") is not None
    other = soup(type(client)().get(post.get_absolute_url()))
    assert other.select_one("a.edit-link") is None


def test_a_small_thread_has_no_second_page(client):
    """Below the threshold, comment-page-2 does not exist."""
    post = make_post()
    make_comment(post)
    assert client.get(f"{post.get_absolute_url()}comment-page-2/").status_code == 404


def test_cached_thread_follows_a_change_of_post_author(client):
    """The Author badge moves when the post changes hands, cache or not."""
    first, second = make_user("first"), make_user("second")
    post = make_post(author=first)
    mine = make_comment(post, user=second)
    assert soup(client.get(post.get_absolute_url())).select(".badge") == []
    post.author = second
    post.save()
    badge = soup(client.get(post.get_absolute_url())).select_one(f"#comment-{mine.pk} .badge")
    assert badge is not None
