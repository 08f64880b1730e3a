"""``{% pending_comments as count %}``: the admin header's moderation badge.

A template tag rather than a context processor, so it runs only where the admin header
is drawn, and counts only for staff who may moderate: one COUNT on the status index.
"""

from django import template

from .. import queue

register = template.Library()


@register.simple_tag(takes_context=True)
def pending_comments(context):
    """The number of pending comments, or None if the viewer may not moderate them."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not (user.is_active and user.is_staff):
        return None
    if not user.has_perm("discussion.change_comment"):
        return None
    counted = context.get("moderation_pending_count")
    return queue.pending_count() if counted is None else counted
