from django.db.models.signals import post_delete, post_save

from . import search
from .models import Page, Post


def update_search_index(sender, instance, **kwargs):
    # Same database, same transaction: the index never disagrees with the posts.
    search.index_post(instance)


def remove_from_search_index(sender, instance, **kwargs):
    search.unindex_post(instance.pk)


def connect():
    for model in (Post, Page):
        post_save.connect(update_search_index, sender=model, dispatch_uid=f"index-{model}")
        post_delete.connect(remove_from_search_index, sender=model, dispatch_uid=f"unindex-{model}")
