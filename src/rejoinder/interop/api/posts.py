"""Read-only endpoints: posts, a post's comment thread, comment counts, the comment stamp.

Only what an anonymous reader sees: ``Post.objects.published()``, and in threads the
approved comments and tombstones, paged exactly as the post page pages them. The threads
of other sites' pages (type ``external``) are read here too, by id or by their page's
address, but never listed among the posts.
"""

from django.conf import settings
from django.core.paginator import Paginator
from ninja import Path, Query, Router

from rejoinder.core.links import absolute_url
from rejoinder.discussion import comments, stamps
from rejoinder.discussion.models import Comment, DiscussionSettings
from rejoinder.discussion.thread import locations, pages, rows
from rejoinder.publishing.models import Post

from .mount import api_url
from .pages import post_for_url
from .problems import Problem, field_error
from .schemas import (
    MAX_ID,
    CommentOut,
    CountsIn,
    CountsOut,
    PostList,
    PostOut,
    ProblemOut,
    StampOut,
    ThreadOut,
)

router = Router(tags=["posts"])
PostId = Path[int, {"ge": 1, "le": MAX_ID}]
# Isso and Remark42 cap their count look-ups too; 100 covers a long index page.
MAX_COUNT_URLS = 100
PROBLEMS = {404: ProblemOut, 422: ProblemOut}


def public_posts():
    """Published posts and pages, and the threads of other sites' pages."""
    posts = Post.objects.discussable().select_related("author")
    return posts.prefetch_related("categories", "tags")


def get_post(post_id):
    """The published post (or thread of another site's page) ``post_id``, or a 404 problem."""
    post = public_posts().filter(pk=post_id).first()
    if post is None:
        raise Problem(404, f"No published post has the id {post_id}.")
    return post


def post_data(request, post):
    def terms(items):
        return [
            {
                "name": t.name,
                "slug": getattr(t, "path", t.slug),
                "url": absolute_url(request, t.get_absolute_url()),
            }
            for t in items
        ]

    return {
        "id": post.pk,
        "type": post.type,
        "title": post.title,
        "url": absolute_url(request, post.get_absolute_url()),
        "published": post.published_at,
        "modified": post.updated_at,
        "author": post.author_name,
        "excerpt": post.summary(),
        "body_html": post.body_html,
        "comment_count": post.comment_count,
        "comments_open": comments.comments_open(post),
        "categories": terms(post.categories.all()),
        "tags": terms(post.tags.all()),
    }


@router.get("/posts", response={200: PostList, **PROBLEMS}, summary="Published posts, newest first")
def list_posts(request, page: int = Query(1, ge=1, le=1_000_000)):
    paginator = Paginator(public_posts().posts().newest_first(), settings.POSTS_PER_PAGE)
    if page > paginator.num_pages:
        raise Problem(404, f"There are {paginator.num_pages} pages of posts.")
    current = paginator.page(page)

    def page_link(number):
        return absolute_url(request, api_url("list_posts") + f"?page={number}")

    return {
        "count": paginator.count,
        "page": page,
        "num_pages": paginator.num_pages,
        "next": page_link(page + 1) if current.has_next() else None,
        "previous": page_link(page - 1) if current.has_previous() else None,
        "items": [post_data(request, post) for post in current],
    }


@router.get("/posts/by-url", response={200: PostOut, **PROBLEMS}, summary="The post at an address")
def post_by_url(request, url: str = Query(..., max_length=2000)):
    post = post_for_url(request, url)
    if post is None:
        raise Problem(
            404,
            "No published post of this site is at that address, and no page elsewhere "
            "with that address has comments here.",
            [field_error("url", "Not a post of this site, nor a page with a thread here.")],
        )
    return post_data(request, get_post(post.pk))


@router.get("/posts/{post_id}", response={200: PostOut, **PROBLEMS}, summary="One post")
def post_detail(request, post_id: PostId):
    return post_data(request, get_post(post_id))


def page_address(request, post, number):
    """The absolute address of the post page that shows comment page ``number``."""
    return absolute_url(request, locations.comment_page_url(post, number).removesuffix("#comments"))


# The fields of a comment the API gives as the thread row holds them, under the same name;
# comment_data() sets the others (renamed, or blank for a tombstone).
AS_STORED = tuple(name for name in CommentOut.model_fields if name in rows.FIELDS)


def comment_data(request, post, node, page_url, replies=()):
    """A node (``rows.Node``, raw) as the API gives it (``CommentOut``)."""
    removed = node.status == Comment.Status.REMOVED
    return {
        **{name: getattr(node, name) for name in AS_STORED},
        "parent": node.parent_id,
        "author_name": "" if removed else node.author_name,
        "author_url": "" if removed else node.author_url,
        "is_post_author": node.user_id is not None and node.user_id == post.author_id,
        "created": node.created_at,
        "edited": node.edited_at,
        "edited_by_moderator": bool(node.edited_at and node.edited_by_moderator),
        "html": "" if removed else node.body_html,
        "removal_reason": node.removal_reason if removed else "",
        "url": f"{page_url}#comment-{node.id}",
        "in_reply_to": node.in_reply_to.id if node.in_reply_to is not None else None,
        "more_replies": node.more,
        "more_url": more_url(request, post, node.id) if node.more else None,
        "replies": list(replies),
    }


def more_url(request, post, comment_id):
    """The comment's own page, which shows the replies a big thread's page leaves out
    (for another site's page, the comment on that page)."""
    return absolute_url(request, locations.comment_url(post, comment_id))


def nested(request, post, nodes, page_url):
    return [
        comment_data(request, post, node, page_url, nested(request, post, node.children, page_url))
        for node in nodes
    ]


def flat(request, post, nodes, page_url):
    """Display order (depth first), each comment once, with no ``replies``."""
    out, stack = [], list(reversed(nodes))
    while stack:
        node = stack.pop()
        out.append(comment_data(request, post, node, page_url))
        stack.extend(reversed(node.children))
    return out


@router.get(
    "/posts/{post_id}/comments",
    response={200: ThreadOut, **PROBLEMS},
    summary="A post's comments, a page at a time (the post page's comment-page-N)",
)
def post_comments(
    request,
    post_id: PostId,
    page: int = Query(1, ge=1, le=1_000_000),
    format: str = Query("nested", pattern="^(nested|flat)$"),
):
    post = get_post(post_id)
    thread_page = pages.post_thread(post, page)
    if thread_page is None:
        raise Problem(
            404,
            f"This post's comments have fewer than {page} pages.",
            [field_error("page", "No such page.")],
        )
    page_url = page_address(request, post, thread_page.number)
    write = nested if format == "nested" else flat
    return {
        "post": post.pk,
        "format": format,
        "comment_count": post.comment_count,
        "page": thread_page.number,
        "num_pages": thread_page.num_pages,
        "page_url": page_url,
        "comments_open": comments.comments_open(post),
        "issued": stamps.issue(),
        "comments": write(request, post, thread_page.roots, page_url),
    }


@router.get(
    "/posts/{post_id}/comment-stamp",
    response={200: StampOut, **PROBLEMS},
    summary="A signed stamp to send back with a new comment",
)
def comment_stamp(request, post_id: PostId):
    get_post(post_id)
    return stamp_data()


@router.get(
    "/comment-stamp",
    response={200: StampOut},
    summary="A signed stamp to send back with a new comment (for /comments/by-url)",
)
def stamp(request):
    return stamp_data()


def stamp_data():
    return {
        "issued": stamps.issue(),
        "min_seconds": DiscussionSettings.load().min_form_seconds,
        "max_age": stamps.MAX_AGE,
    }


def count_urls(request, urls):
    if len(urls) > MAX_COUNT_URLS:
        raise Problem(
            422,
            f"At most {MAX_COUNT_URLS} addresses in one request (this one has {len(urls)}).",
            [field_error("url", f"at most {MAX_COUNT_URLS} addresses", max_items=MAX_COUNT_URLS)],
        )
    counts = []
    for url in urls:
        post = post_for_url(request, url) if len(url) <= 2000 else None
        counts.append(
            {
                "url": url,
                "post": post.pk if post else None,
                "count": post.comment_count if post else None,
            }
        )
    return {"counts": counts}


@router.get(
    "/counts", response={200: CountsOut, **PROBLEMS}, summary="Comment counts of many addresses"
)
def counts(request, url: Query[list[str]]):
    return count_urls(request, url)


@router.post(
    "/counts",
    response={200: CountsOut, **PROBLEMS, 400: ProblemOut},
    summary="Comment counts of many addresses",
)
def counts_post(request, payload: CountsIn):
    return count_urls(request, payload.urls)
