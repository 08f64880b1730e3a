import datetime

from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.core.paginator import EmptyPage, Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from rejoinder.core import pagecache
from rejoinder.core.links import absolute_url

from . import quotations, search
from .entries import article_version, render_entry
from .models import Category, Post, Quotation, SourceArchive, Tag, visibility


def _published_posts():
    return (
        Post.objects.published()
        .posts()
        .newest_first()
        .select_related("author")
        .prefetch_related("categories", "tags")
    )


def _page_of(items, number, url_name, url_kwargs=None):
    """One page of ``items`` plus the addresses of its neighbours (``/page/N/`` style)."""
    paginator = Paginator(items, settings.POSTS_PER_PAGE)
    try:
        page = paginator.page(int(number))
    except EmptyPage:
        raise Http404("No such page.") from None
    url_kwargs = url_kwargs or {}

    def url_for(n):
        if n == 1:
            return reverse(url_name, kwargs=url_kwargs)
        return reverse(f"{url_name}_page", kwargs={**url_kwargs, "page": n})

    return {
        "page_obj": page,
        "previous_url": url_for(page.previous_page_number()) if page.has_previous() else None,
        "next_url": url_for(page.next_page_number()) if page.has_next() else None,
    }


def _cache_listing(request, context):
    """A listing shows its posts and their comment counts: cached until either changes."""
    pagecache.depends_on(
        request,
        pagecache.POSTS,
        *(pagecache.post_tag(post.pk) for post in context["page_obj"].object_list),
    )
    return context


def _first_page_redirect(page, url_name, url_kwargs=None):
    """``/page/1/`` is the list's own address: send it there."""
    if page is not None and int(page) == 1:
        return redirect(url_name, permanent=True, **(url_kwargs or {}))
    return None


@require_safe
def home(request, page=None):
    """The front page, newest posts first; ``/?s=words`` searches."""
    if "s" in request.GET:
        return search_results(request)
    if moved := _first_page_redirect(page, "publishing:home"):
        return moved
    context = _cache_listing(request, _page_of(_published_posts(), page or 1, "publishing:home"))
    return render(request, "publishing/home.html", context)


def search_results(request):
    query = request.GET.get("s", "").strip()[: search.MAX_QUERY_LENGTH]
    ids = search.search(query, Post.objects.published()) if query else []
    paginator = Paginator(ids, settings.POSTS_PER_PAGE)
    page = paginator.get_page(request.GET.get("paged"))
    context = {
        "query": query,
        "hits": search.hits_for(list(page.object_list), query),
        "page_obj": page,
        "result_count": paginator.count,
    }
    return render(request, "publishing/search.html", context)


@require_safe
def post_detail(request, year, month, day, slug):
    article = article_version()
    post = Post.objects.at_address(request.user, year, month, day, slug)
    if post is None:
        raise Http404("No such post.")
    return render_entry(request, post, article)


@require_safe
def page_detail(request, slug):
    article = article_version()
    post = get_object_or_404(
        Post.objects.visible_to(request.user).pages().select_related("author"), slug=slug
    )
    return render_entry(request, post, article)


@require_safe
def category(request, path, page=None):
    category = get_object_or_404(Category, path=path)
    if moved := _first_page_redirect(page, "publishing:category", {"path": path}):
        return moved
    # A category shows its own posts and its descendants', as in WordPress.
    posts = _published_posts().in_category(category)
    context = _page_of(posts, page or 1, "publishing:category", {"path": path})
    _cache_listing(request, context)
    context.update(heading=f"Category: {category}", listing=category)
    context["feed_url"] = reverse("publishing:category_feed", kwargs={"path": path})
    return render(request, "publishing/archive.html", context)


@require_safe
def tag(request, slug, page=None):
    tag = get_object_or_404(Tag, slug=slug)
    if moved := _first_page_redirect(page, "publishing:tag", {"slug": slug}):
        return moved
    context = _page_of(
        _published_posts().filter(tags=tag), page or 1, "publishing:tag", {"slug": slug}
    )
    _cache_listing(request, context)
    context.update(heading=f"Tag: {tag}", listing=tag)
    context["feed_url"] = reverse("publishing:tag_feed", kwargs={"slug": slug})
    return render(request, "publishing/archive.html", context)


@require_safe
def archive(request, year, month=None, day=None, page=None):
    """Posts of a year, a month or a day: ``/2026/``, ``/2026/10/``, ``/2026/10/06/``."""
    try:
        start = datetime.datetime(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise Http404("No such date.") from None
    if day:
        end, heading = start + datetime.timedelta(days=1), f"{start:%B} {start.day}, {start:%Y}"
    elif month:
        end = (start + datetime.timedelta(days=32)).replace(day=1)
        heading = f"{start:%B %Y}"
    else:
        end, heading = start.replace(year=start.year + 1), f"{start:%Y}"
    kwargs = {
        key: value for key, value in (("year", year), ("month", month), ("day", day)) if value
    }
    name = "publishing:archive_" + ("day" if day else "month" if month else "year")
    if moved := _first_page_redirect(page, name, kwargs):
        return moved
    posts = _published_posts().filter(
        published_at__gte=timezone.make_aware(start), published_at__lt=timezone.make_aware(end)
    )
    context = _page_of(posts, page or 1, name, kwargs)
    if not context["page_obj"].object_list:
        raise Http404("Nothing was published then.")
    _cache_listing(request, context)
    context["heading"] = f"Archive: {heading}"
    return render(request, "publishing/archive.html", context)


@require_safe
def sitemap(request, sitemaps):
    """Django's sitemap, kept in the page cache until a post changes."""
    pagecache.depends_on(request, pagecache.POSTS)
    return sitemap_views.sitemap(request, sitemaps)


@require_safe
def robots_txt(request):
    sitemap = absolute_url(request, reverse("sitemap"))
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /?s=", f"Sitemap: {sitemap}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says; send them to the icon."""
    return redirect(static("rejoinder/favicon.svg"), permanent=True)


def not_found(request, exception=None):
    response = render(request, "404.html", {"query": request.GET.get("s", "")})
    response.status_code = 404
    return response


@require_safe
def sources(request):
    """``/sources/``: every publisher the site has quoted, with counts."""
    return render(request, "publishing/sources.html", {"publishers": quotations.publishers()})


@require_safe
def source(request, slug):
    """``/sources/<publisher>/``: every post that quoted the publisher, with the passages."""
    publisher = quotations.publisher(slug)
    if publisher is None:
        raise Http404("No such publisher.")
    context = {
        "publisher": publisher,
        "entries": quotations.running_file(slug),
        "feed_url": reverse("publishing:source_feed", kwargs={"slug": slug}),
    }
    return render(request, "publishing/source.html", context)


@require_safe
def source_archive(request, pk):
    """An archived copy of a source: its main text as fetched, with when and its digest.

    The page itself is never served from this site (another site's HTML here would run
    with this site's cookies); ``?raw`` downloads it, gzipped, as it was fetched.
    """
    archives = SourceArchive.objects.select_related("source")
    if visibility(request.user) != "all":
        # Only copies a quotation the reader may see was checked against: not another's draft.
        shown = Post.objects.visible_to(request.user).values("pk")
        archives = archives.filter(
            pk__in=Quotation.objects.filter(post__in=shown).values("archive")
        )
    archived = get_object_or_404(archives, pk=pk)
    if "raw" in request.GET:
        response = HttpResponse(bytes(archived.raw_gzip), content_type="application/gzip")
        response["Content-Disposition"] = f'attachment; filename="source-{archived.pk}.html.gz"'
        return response
    return render(request, "publishing/source_archive.html", {"archived": archived})
