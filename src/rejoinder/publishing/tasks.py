"""Background work of publishing: checking quotations against their sources."""

from django_tasks import task

from . import checking
from .models import Post


@task()
def check_post_sources(post_id):
    """Archive the sources of one post and check its quotations (``checking``)."""
    post = Post.objects.filter(pk=post_id).first()
    if post is None:
        return 0
    return checking.check_post(post)
