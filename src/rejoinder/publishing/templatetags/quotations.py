from django import template

from .. import quotations

register = template.Library()


@register.inclusion_tag("publishing/_sources.html")
def sources_panel(post):
    """The sources panel at the end of a post: who it quotes, how much."""
    lines, unattributed = quotations.panel(post)
    return {"lines": lines, "unattributed": unattributed}
