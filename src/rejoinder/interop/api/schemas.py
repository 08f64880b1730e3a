"""The API's types: pydantic models that validate input and write the OpenAPI document.

Limits come from the comment form's own fields, so the document states the form's rules.
"""

import datetime
from typing import Literal

from ninja import Field, Schema

from rejoinder.discussion.forms import CommentForm
from rejoinder.publishing.models import Post

_FORM = CommentForm.base_fields
_POST_TITLE_LENGTH = Post._meta.get_field("title").max_length
# The largest id a JavaScript client can hold exactly (Number.MAX_SAFE_INTEGER); bigger
# ones would overflow the database's integer columns.
MAX_ID = 2**53 - 1


class Term(Schema):
    name: str
    slug: str
    url: str


class PostOut(Schema):
    id: int
    type: Literal["post", "page", "external"] = Field(
        description="external: the thread of a page on another site (no body here)."
    )
    title: str
    url: str = Field(description="The post's absolute address (external: the page's).")
    published: datetime.datetime
    modified: datetime.datetime
    author: str = Field(description="The author's public name (never a login).")
    excerpt: str
    body_html: str = Field(description="Sanitized HTML, as the post page shows it.")
    comment_count: int = Field(description="Approved comments.")
    comments_open: bool
    categories: list[Term]
    tags: list[Term]


class PostList(Schema):
    count: int
    page: int
    num_pages: int
    next: str | None
    previous: str | None
    items: list[PostOut]


class CommentOut(Schema):
    id: int
    parent: int | None
    depth: int = Field(description="0 for a top-level comment (stored depth, not display).")
    status: Literal["approved", "removed", "pending"] = Field(
        description="removed: a tombstone (its text and author are not shown)."
    )
    author_name: str
    author_url: str
    is_post_author: bool
    created: datetime.datetime
    edited: datetime.datetime | None
    edited_by_moderator: bool = Field(
        description="The text was last changed by a moderator, not by the commenter."
    )
    html: str = Field(description="The comment's sanitized HTML, as stored.")
    removal_reason: str = Field(description="Set when a moderator removed the comment.")
    url: str | None = Field(description="The comment's anchor on its page (absolute).")
    in_reply_to: int | None = Field(
        None, description="Nested format: set when the depth cap shows a reply beside its parent."
    )
    more_replies: int = Field(0, description="Replies left out of this page (big threads).")
    more_url: str | None = Field(None, description="Where those replies are shown.")
    replies: list["CommentOut"] = Field(default_factory=list)


CommentOut.model_rebuild()


class ThreadOut(Schema):
    post: int
    format: Literal["nested", "flat"]
    comment_count: int
    page: int
    num_pages: int
    page_url: str = Field(description="The page of the post that shows this comment page.")
    comments_open: bool
    issued: str = Field(description="A fresh comment stamp (see /comment-stamp).")
    comments: list[CommentOut]


class StampOut(Schema):
    issued: str = Field(description="Echo back as `issued` when posting a comment.")
    min_seconds: int = Field(description="A comment sent sooner than this is refused.")
    max_age: int = Field(description="Seconds the stamp stays valid.")


class CommentIn(Schema):
    body: str = Field(max_length=_FORM["body"].max_length, description="Markdown.")
    name: str = Field("", max_length=_FORM["name"].max_length)
    email: str = Field("", max_length=_FORM["email"].max_length, description="Never shown.")
    website: str = Field("", max_length=_FORM["website"].max_length)
    parent: int | None = Field(None, ge=1, le=MAX_ID, description="The comment this replies to.")
    quoted: str = Field("", max_length=_FORM["quoted"].max_length)
    notify_replies: bool = False
    notify_all: bool = False
    issued: str = Field(max_length=200, description="The stamp from GET /posts/{id}/comment-stamp.")
    url: str = Field("", max_length=500, description="The form's robot trap: must stay empty.")


class PageCommentIn(CommentIn):
    page_url: str = Field(
        max_length=2000,
        description="The page commented on: a post of this site, or a page of an allowed site.",
    )
    page_title: str = Field(
        "",
        max_length=_POST_TITLE_LENGTH,
        description="The page's title, kept when its first comment starts its thread.",
    )


class CommentCreated(Schema):
    status: Literal["approved", "pending"]
    message: str
    subscription: Literal["confirm", "subscribed"] | None
    comment: CommentOut


class CountsIn(Schema):
    urls: list[str]


class Count(Schema):
    url: str
    post: int | None
    count: int | None


class CountsOut(Schema):
    counts: list[Count]


class FieldError(Schema):
    field: str | None
    detail: str
    limit: dict[str, int] | None = None


class ProblemOut(Schema):
    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError]
