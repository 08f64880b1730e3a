import copy

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from rejoinder.core import versions
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
    # Moves whenever a moderator or the writer changes the status or the text
    # (``save_moderated``): a moderation link names the version it was emailed about, and
    # works only while it is current, so never twice, nor after the comment came back.
    moderation_version = models.PositiveIntegerField(default=0, editable=False)

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
    # Someone other than its writer (a moderator, an editor, the post's author) changed
    # the text: shown as "edited by a moderator", never as the reader's own words.
    edited_by_moderator = models.BooleanField(default=False, editable=False)
    body = models.TextField("comment")
    body_html = models.TextField(editable=False, blank=True)

    # Quote-reply: the anchor of what the comment quoted ("quotation-3", "p-12",
    # "comment-45"), so it links back to the passage; empty when it quotes nothing.
    quoted_anchor = models.CharField(max_length=40, blank=True, default="")

    # Moderation. A locked comment takes no more replies (nor does anything under it).
    locked = models.BooleanField("replies closed", default=False)
    # Set when a moderator removes the comment: shown in its place ("Removed by a
    # moderator: <reason>"). Empty on a comment its author deleted.
    removal_reason = models.CharField(max_length=300, blank=True)
    # The classifier's spam probability when the comment arrived (0-1), and why the
    # moderation rules held it, for the queue.
    spam_score = models.FloatField(null=True, blank=True)
    hold_reasons = models.CharField(max_length=500, blank=True)
    # Held by a content rule (hold list, links, spam score), not only by pre-moderation:
    # the queue's "held" tab.
    flagged = models.BooleanField(default=False)
    # When subscribers were told of this comment (claimed once, whoever approves it).
    announced_at = models.DateTimeField(null=True, blank=True, editable=False)
    # What the classifier last learnt from this comment, so a reversed decision is unlearnt.
    trained_as = models.CharField(max_length=4, blank=True, default="")

    # Statuses a thread shows (a tombstone keeps its replies in place).
    SHOWN_STATUSES = (Status.APPROVED, Status.REMOVED)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        permissions = [
            # WordPress's authors moderate the comments on their own posts; editors and
            # moderators (change_comment) every comment.
            ("moderate_own_posts", "Can edit and delete comments on their own posts"),
        ]
        # The path is not indexed: a hostile reply chain hundreds deep would outgrow
        # PostgreSQL's B-tree entry limit (~2.7 kB). A thread is found by these indexes and
        # sorted by path, which for 10,000 comments takes a few milliseconds.
        indexes = [
            models.Index(fields=["post", "status"], name="comment_thread"),
            models.Index(fields=["post", "parent", "status"], name="comment_top_level"),
            models.Index(fields=["status", "created_at"], name="comment_queue"),
            # A commenter's history: trusted after N approved, duplicates, the queue's counts.
            models.Index(fields=["author_email", "status"], name="comment_author"),
            # Duplicates from a reader without an email address (moderation.is_duplicate):
            # without it the check read every comment of the post, inside the write lock.
            models.Index(fields=["post", "author_name"], name="comment_by_name"),
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

    def save_moderated(self, fields):
        """Save ``fields`` (a change of status or text) and move the moderation version,
        in the same UPDATE: by one from the row's, whatever this object last read."""
        self.moderation_version = models.F("moderation_version") + 1
        self.save(update_fields=[*fields, "moderation_version"])
        self.refresh_from_db(fields=["moderation_version"])


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


class DiscussionSettings(models.Model):
    """The site's discussion rules: one row, edited in the admin (``docs/moderation.md``).

    Defaults are WordPress's wherever WordPress has the rule.
    """

    class Moderation(models.TextChoices):
        OFF = "off", "Off: publish every comment that passes the rules"
        FIRST_TIME = "first_time", "Hold comments from first-time commenters"
        ALL = "all", "Hold every comment for approval"

    moderation = models.CharField(
        "pre-moderation", max_length=12, choices=Moderation.choices, default=Moderation.FIRST_TIME
    )
    trusted_after = models.PositiveIntegerField(
        "trusted after",
        default=1,
        help_text="A commenter whose email address has this many approved comments is no "
        "longer a first-time commenter.",
    )
    hold_links = models.PositiveIntegerField(
        "hold at links",
        default=2,
        help_text="Hold a comment with this many links or more (0: never).",
    )
    hold_list = models.TextField(
        blank=True,
        help_text="One entry per line: a word, name, email, URL, IP range (CIDR) or user "
        "agent. A comment matching any entry in any field waits for moderation.",
    )
    block_list = models.TextField(
        blank=True,
        help_text="As the hold list, but a match goes straight to spam.",
    )
    flood_seconds = models.PositiveIntegerField(
        "seconds between comments",
        default=15,
        help_text="The shortest time between two comments from one IP address or one email "
        "address (0: no limit).",
    )
    hourly_limit = models.PositiveIntegerField(
        "comments per hour per IP",
        default=30,
        help_text="At most this many comments an hour from one IP address (0: no limit).",
    )
    min_form_seconds = models.PositiveIntegerField(
        "fastest form",
        default=3,
        help_text="Refuse a form sent sooner than this many seconds after the page was served.",
    )
    # A score is a probability: a threshold past 1 would silently turn the rule off.
    spam_hold_score = models.FloatField(
        "hold at spam score",
        default=0.7,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="Hold a comment the spam classifier scores at least this (0-1).",
    )
    spam_score = models.FloatField(
        "spam at spam score",
        default=0.98,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="Send a comment the classifier scores at least this straight to spam (0-1).",
    )
    notify_author_comment = models.BooleanField(
        "email authors new comments", default=True, help_text="WordPress: “Anyone posts a comment”."
    )
    notify_author_moderation = models.BooleanField(
        "email authors comments held for moderation",
        default=True,
        help_text="WordPress: “A comment is held for moderation”.",
    )

    class Meta:
        verbose_name = verbose_name_plural = "discussion settings"

    def __str__(self):
        return "Discussion settings"

    VERSION = "discussion-settings"  # its token in core.versions

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)
        versions.renew(self.VERSION)

    @classmethod
    def load(cls):
        """The rules: read once per change, not once per comment (each process keeps a
        copy under the rules' version token); callers get their own copy to change."""
        row = versions.kept(cls.VERSION, lambda: cls.objects.get_or_create(pk=1)[0])
        return copy.copy(row)


class Ban(models.Model):
    """A commenter kept out: an account, an email address or an IP range, maybe for a time."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    email = models.EmailField(blank=True)
    ip_range = models.CharField(
        "IP address or range", max_length=50, blank=True, help_text="203.0.113.7 or 203.0.113.0/24"
    )
    reason = models.CharField(max_length=300, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: for good.")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        who = self.user or self.email or self.ip_range
        return f"Ban of {who}"

    def is_active(self, now):
        return self.expires_at is None or self.expires_at > now


class SpamToken(models.Model):
    """How often a feature (word, link domain, metadata) was seen in spam and in ham.

    The classifier's whole model; the empty token holds the number of documents.
    """

    token = models.CharField(max_length=64, unique=True)
    spam = models.PositiveIntegerField(default=0)
    ham = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.token}: {self.spam} spam, {self.ham} ham"
