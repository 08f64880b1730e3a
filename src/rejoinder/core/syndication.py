"""Feed writers that no stored value can break.

XML 1.0 cannot carry some characters (``core.text``); Django's feed writer raises on the
C0 controls, so one comment holding one took every feed it appeared in down for every
reader. The doors refuse them now, but rows stored before, or written by a path we have
not thought of, must not bring a feed down: these writers drop such characters from every
string of the feed and its items, and log a warning naming the item and how many.
"""

import logging

from django.utils import feedgenerator

from .text import strip_control_characters

logger = logging.getLogger("rejoinder.feeds")


class CleanFeedMixin:
    """Drop the characters XML 1.0 cannot carry from every value, with a warning."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **_cleaned(kwargs, "the feed", kwargs.get("link", "")))

    def add_item(self, *args, **kwargs):
        super().add_item(*args, **_cleaned(kwargs, "item", kwargs.get("link", "")))


class Rss(CleanFeedMixin, feedgenerator.Rss201rev2Feed):
    pass


class Atom(CleanFeedMixin, feedgenerator.Atom1Feed):
    pass


def _cleaned(values, what, link):
    removed = {}
    cleaned = {name: _clean(value, name, removed) for name, value in values.items()}
    if removed:
        fields = ", ".join(f"{name} ({count})" for name, count in removed.items())
        logger.warning(
            "Feed %s %s: removed characters XML 1.0 cannot carry from %s", what, link, fields
        )
    return cleaned


def _clean(value, name, removed):
    if isinstance(value, str):
        text, count = strip_control_characters(value)
        if count:
            removed[name] = removed.get(name, 0) + count
        return text
    if isinstance(value, list | tuple):
        return type(value)(_clean(item, name, removed) for item in value)
    if isinstance(value, dict):
        return {key: _clean(item, name, removed) for key, item in value.items()}
    return value
