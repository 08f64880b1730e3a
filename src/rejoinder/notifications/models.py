from django.db import models
from django.utils import timezone

from rejoinder.discussion.models import Comment
from rejoinder.publishing.models import Post


class Subscriber(models.Model):
    """An email address that asked for notifications; confirmed once (double opt-in)."""

    email = models.EmailField(unique=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # A random token for the confirmation link, cleared when used (a link works once).
    confirm_token = models.CharField(max_length=64, blank=True, default="")
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Subscriber {self.pk}"

    def unconfirmed_subscriptions(self):
        """The subscriptions a confirmation link of this address would start."""
        return (
            self.subscriptions.filter(confirmed_at__isnull=True)
            .select_related("post", "comment")
            .order_by("pk")
        )


class Subscription(models.Model):
    """“Email me replies to my comment” (``comment`` set) or every new comment on ``post``."""

    subscriber = models.ForeignKey(
        Subscriber, related_name="subscriptions", on_delete=models.CASCADE
    )
    # Each subscription asked for by a reader without an account is confirmed by its own
    # link (or by a browser that confirmed the address before): a confirmed address alone
    # must not let anyone subscribe it to every post.
    confirmed_at = models.DateTimeField(null=True, blank=True)
    post = models.ForeignKey(Post, related_name="+", on_delete=models.CASCADE)
    comment = models.ForeignKey(
        Comment, null=True, blank=True, related_name="+", on_delete=models.CASCADE
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "post", "comment"], name="one_subscription"
            ),
            models.UniqueConstraint(
                fields=["subscriber", "post"],
                condition=models.Q(comment__isnull=True),
                name="one_post_subscription",
            ),
        ]

    def __str__(self):
        return f"Subscription {self.pk}"
