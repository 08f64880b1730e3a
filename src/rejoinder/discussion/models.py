from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from rejoinder.publishing.models import Post

# Each level of a comment's path is its id in base 36, zero-padded to this width, so that
# sorting paths as strings gives the thread in display order (depth first, oldest first).
# 36**7 is 78 billion comments.
PATH_WIDTH = 7
DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def path_segment(number):
    text = ""
    while number:
        number, remainder = divmod(number, 36)
        text = DIGITS[remainder] + text
    return text.rjust(PATH_WIDTH, "0")


class CommentQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Comment.Status.APPROVED)

    def pending(self):
        return self.filter(status=Comment.Status.PENDING)

    def shown(self):
        """What readers see in a thread: approved comments and tombstones, no pings."""
        return self.filter(status__in=Comment.SHOWN_STATUSES, type=Comment.Type.COMMENT)

    def counted(self):
        """What the count beside the title counts: approved readers' comments."""
        return self.filter(status=Comment.Status.APPROVED, type=Comment.Type.COMMENT)

    def in_display_order(self):
        return self.order_by("path")


class Comment(models.Model):
    """A reader's comment on a post, at any depth of replies."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        SPAM = "spam", "Spam"
        TRASH = "trash", "Trash"
        # Deleted by its author while it had replies: shown as "comment deleted".
        REMOVED = "removed", "Removed"

    class Type(models.TextChoices):
        COMMENT = "comment", "Comment"
        PINGBACK = "pingback", "Pingback"
        TRACKBACK = "trackback", "Trackback"

    post = models.ForeignKey(Post, related_name="comments", on_delete=models.CASCADE)
    parent = models.ForeignKey(
        "self", null=True, blank=True, related_name="replies", on_delete=models.CASCADE
    )
    # The top-level comment this one belongs under (itself for a top-level comment).
    thread = models.ForeignKey(
        "self", null=True, blank=True, related_name="+", on_delete=models.CASCADE
    )
    path = models.CharField(max_length=10_000, editable=False, default="")
    depth = models.PositiveIntegerField(default=0, editable=False)
    type = models.CharField(max_length=10, choices=Type.choices, default=Type.COMMENT)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="comments",
        on_delete=models.SET_NULL,
    )
    # Readers' form allows 100 characters; imports keep WordPress's longer names (245).
    author_name = models.CharField("name", max_length=255)
    author_email = models.EmailField("email", max_length=254, blank=True)
    author_url = models.URLField("website", max_length=500, blank=True)
    ip_address = models.GenericIPAddressField("IP address", null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    body = models.TextField("comment")
    body_html = models.TextField(editable=False, blank=True)

    # Statuses a thread shows (a tombstone keeps its replies in place).
    SHOWN_STATUSES = (Status.APPROVED, Status.REMOVED)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        # The path is not indexed: a hostile reply chain hundreds deep would outgrow
        # PostgreSQL's B-tree entry limit (~2.7 kB). A thread is found by these indexes and
        # sorted by path, which for 10,000 comments takes a few milliseconds.
        indexes = [
            models.Index(fields=["post", "status"], name="comment_thread"),
            models.Index(fields=["post", "parent", "status"], name="comment_top_level"),
            models.Index(fields=["status", "created_at"], name="comment_queue"),
        ]

    def __str__(self):
        return f"{self.author_name} on {self.post}"

    def get_absolute_url(self):
        return f"{self.post.get_absolute_url()}#comment-{self.pk}"

    @property
    def anchor(self):
        return f"comment-{self.pk}"

    @property
    def is_tombstone(self):
        return self.status == self.Status.REMOVED

    @property
    def by_post_author(self):
        return self.user_id is not None and self.user_id == self.post.author_id

    def page_url(self):
        """The comment's own page: it and its replies, with its ancestors for context."""
        return reverse("discussion:comment", kwargs={**self.post.url_kwargs(), "comment": self.pk})


class CommentEdit(models.Model):
    """The text a comment had before an edit; every edit keeps one."""

    comment = models.ForeignKey(Comment, related_name="edits", on_delete=models.CASCADE)
    body = models.TextField()
    edited_at = models.DateTimeField(default=timezone.now)
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["-edited_at", "-id"]

    def __str__(self):
        return f"Edit of comment {self.comment_id} at {self.edited_at:%Y-%m-%d %H:%M}"
