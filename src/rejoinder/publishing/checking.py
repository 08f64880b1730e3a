"""Archive each source a post quotes and check the quotations against it.

For every source with an address: ``fetcher.fetch()`` (public addresses only, size cap,
robots.txt), a ``SourceArchive`` row (the page gzipped, its SHA-256, the HTTP status, the
main text from ``verification.extract_text``), then ``verification.check`` for each
quotation: verified, differs (with the word diff), or source unavailable. A re-check
fetches again; a quotation that verified before and no longer does, because the page
changed, is "source changed since quoted".

Runs in the task worker (``tasks.check_post_sources``), queued when a post with
attributed quotations is saved public, from the admin ("Check quotations against their
sources") and from ``rejoinder check_sources`` (cron, for the periodic re-check).
"""

import gzip

from django.db import transaction
from django.utils import timezone

from . import fetcher, quotations, verification
from .models import Post, Quotation, SourceArchive


def archive(source):
    """Fetch ``source`` now and keep what came back (or why nothing did)."""
    try:
        page = fetcher.fetch(source.url)
    except fetcher.FetchError as failure:
        return SourceArchive.objects.create(source=source, error=failure.reason[:300])
    text = ""
    if 200 <= page.status < 300:
        text = verification.extract_text(page.body, url=page.final_url)
    return SourceArchive.objects.create(
        source=source,
        fetched_at=page.fetched_at,
        final_url=page.final_url[:2000],
        http_status=page.status,
        sha256=page.sha256,
        raw_gzip=gzip.compress(page.body),
        text=text,
    )


def check_post(post):
    """Fetch every source the post quotes (once each) and check its quotations."""
    by_source = {}
    for quotation in post.quotations.select_related("source", "archive"):
        if quotation.source is not None and quotation.source.url:
            by_source.setdefault(quotation.source, []).append(quotation)
    for source, quoted in by_source.items():
        fresh = archive(source)
        _record(quoted, fresh)
    post.refresh_from_db(fields=["body_html"])
    quotations.link_passages(post)
    return sum(len(quoted) for quoted in by_source.values())


@transaction.atomic
def _record(quoted, fresh):
    now = timezone.now()
    if not fresh.usable or not fresh.text:
        for quotation in quoted:
            quotation.status, quotation.diff = Quotation.Check.UNAVAILABLE, ""
            quotation.checked_at, quotation.archive = now, fresh
            quotation.save(update_fields=["status", "diff", "checked_at", "archive"])
        return
    results = verification.check_all([q.text for q in quoted], fresh.text)
    for quotation, result in zip(quoted, results, strict=True):
        if result.status == verification.VERIFIED:
            status, diff = Quotation.Check.VERIFIED, ""
        else:
            # Once it verified, a failing check means the page changed under the quote:
            # that stays the finding on later checks of the same changed page.
            changed = quotation.status == Quotation.Check.CHANGED or (
                quotation.status == Quotation.Check.VERIFIED
                and quotation.archive is not None
                and quotation.archive.sha256 != fresh.sha256
            )
            status = Quotation.Check.CHANGED if changed else Quotation.Check.DIFFERS
            diff = " ".join(filter(None, [result.diff, result.note]))
        quotation.status, quotation.diff = status, diff
        quotation.checked_at, quotation.archive = now, fresh
        quotation.save(update_fields=["status", "diff", "checked_at", "archive"])


def posts_to_check(recheck=False):
    """Public posts with attributed quotations: not yet checked, or all of them."""
    posts = Post.objects.published().filter(quotations__source__url__gt="").distinct()
    if not recheck:
        posts = posts.filter(quotations__status=Quotation.Check.NOT_CHECKED)
    return posts
