from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from rejoinder.core import pagecache

from . import quotations, scheduling, search
from .models import Category, ExternalThread, Page, Post, Quotation, Source, Tag, UpdateNote
from .tasks import check_post_sources


def update_search_index(sender, instance, **kwargs):
    # Same database, same transaction: the index never disagrees with the posts.
    if not instance.is_external:  # another site's page: nothing here to find
        search.index_post(instance)


def remove_from_search_index(sender, instance, **kwargs):
    search.unindex_post(instance.pk)


def sync_quotations(sender, instance, raw=False, **kwargs):
    """Make a saved post's quotations those of its HTML (``quotations.sync``), in the
    post's own transaction, like the search index; once it commits, check the sources
    of a public post that quotes an address not checked yet.

    Not for fixtures loaded raw (``loaddata`` never called ``Post.save``), nor for another
    site's page, which has no body.
    """
    if raw or instance.is_external:
        return
    quotations.sync(instance)
    if quotations.awaiting_check(instance):
        post_id = instance.pk
        transaction.on_commit(lambda: check_post_sources.enqueue(post_id))


def posts_changed(sender, **kwargs):
    """Anything a page about posts shows changed: every such cached page is stale; and
    when a post itself was saved, the next scheduled moment may have moved (only posts
    have one: a post's quotations, saved with it, need not look it up again each)."""
    instance = kwargs.get("instance")
    if isinstance(instance, Post) and instance.is_external:
        return  # a thread of another site's page: no page of ours shows it
    pagecache.invalidate(pagecache.POSTS)
    if sender in (Post, Page):
        pagecache.invalidate_schedule()


# What readers' pages show of these, beyond the posts themselves: categories and tags
# (names, listings), update notes, quotations and their sources (the sources panel).
SHOWN = (Post, Page, Category, Tag, UpdateNote, Quotation, Source)


def connect():
    for model in (Post, Page):
        post_save.connect(update_search_index, sender=model, dispatch_uid=f"index-{model}")
        post_delete.connect(remove_from_search_index, sender=model, dispatch_uid=f"unindex-{model}")
    for model in SHOWN:
        post_save.connect(posts_changed, sender=model, dispatch_uid=f"pages-save-{model}")
        post_delete.connect(posts_changed, sender=model, dispatch_uid=f"pages-delete-{model}")
    # After the two above, as when Post.save called it: the index and the page cache see
    # the saved post first. Every class a post is saved as (signals name the proxy).
    for model in (Post, Page, ExternalThread):
        post_save.connect(sync_quotations, sender=model, dispatch_uid=f"quotations-{model}")
    for relation in (Post.categories.through, Post.tags.through):
        m2m_changed.connect(posts_changed, sender=relation, dispatch_uid=f"pages-{relation}")
    pagecache.register(next_due=scheduling.next_due)
