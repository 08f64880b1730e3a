import datetime
import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from rejoinder.core import pagecache, versions
from rejoinder.core.people import public_name

from . import markup

# Slugs a page may not take because a route of the site already owns them.
RESERVED_PAGE_SLUGS = {
    "admin", "category", "tag", "feed", "page", "comments", "static", "media", "sources",
    "search", "sitemap.xml", "robots.txt", "wp-admin", "wp-content", "api",
}  # fmt: skip


class Category(models.Model):
    """A hierarchical category; its URL is the chain of slugs, as in WordPress."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, related_name="children", on_delete=models.PROTECT
    )
    description = models.TextField(blank=True)
    # "parent/child": kept in step on save, so URLs and look-ups need no recursion.
    path = models.CharField(max_length=1000, unique=True, editable=False)

    class Meta:
        verbose_name_plural = "categories"
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "slug"], name="unique_category_slug"),
        ]

    def __str__(self):
        return self.path.replace("/", " › ") if self.path else self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:200]
        self.path = f"{self.parent.path}/{self.slug}" if self.parent else self.slug
        with transaction.atomic():
            super().save(*args, **kwargs)
            for child in self.children.all():
                child.save()

    def get_absolute_url(self):
        return reverse("publishing:category", kwargs={"path": self.path})

    def clean(self):
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": "A category cannot be inside itself."})
            ancestor = ancestor.parent


class Tag(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:200]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("publishing:tag", kwargs={"slug": self.slug})


def visibility(user):
    """Which posts ``user`` may open beyond the published ones: "all" (edits others'
    posts), "own:<id>" (writes posts: their own), or "public" (none)."""
    if not (user.is_authenticated and user.is_active):
        return "public"
    if user.has_perm("publishing.edit_others_posts"):
        return "all"
    if user.has_perm("publishing.change_post"):
        return f"own:{user.pk}"
    return "public"


class PostQuerySet(models.QuerySet):
    def published(self):
        """Posts and pages a reader may see on this site: published, and their time has come.

        Threads for other sites' pages (``external()``) are not among them: they have no
        page here, so no listing, feed, sitemap, search or export shows them.
        """
        return self.discussable().filter(type__in=[Post.Type.POST, Post.Type.PAGE])

    def discussable(self):
        """Whose comments readers may read and join: published posts and pages, and the
        threads of other sites' pages (the API and the embed)."""
        return self.filter(
            status__in=[Post.Status.PUBLISHED, Post.Status.SCHEDULED],
            published_at__lte=timezone.now(),
        )

    def external(self):
        """Threads for pages of other sites (the embed on a static site or another blog)."""
        return self.filter(type=Post.Type.EXTERNAL)

    def posts(self):
        return self.filter(type=Post.Type.POST)

    def pages(self):
        return self.filter(type=Post.Type.PAGE)

    def visible_to(self, user):
        """What ``user`` may open at its address, as WordPress's capabilities decide: who
        edits others' posts (editors, administrators) also sees every draft, schedule and
        private post; who writes posts (authors) also sees their own; everyone else, what
        is published. The post's page, its feeds and its comment form all ask this."""
        scope = visibility(user)
        if scope == "all":
            return self.all()
        if scope == "public":
            return self.published()
        return self.filter(Q(pk__in=self.published().values("pk")) | Q(author=user))

    def at_address(self, user, year, month, day, slug, page=True):
        """The post at ``/year/month/day/slug/`` that ``user`` may see, or None.

        The date is the site's local date, as in the address. With ``page`` its author
        comes too, for showing the post's page (its categories, tags and update notes are
        read only when its article is rendered, not when it is kept: ``render_entry``); a
        request that only needs the post itself (a comment being posted) passes False.

        Each process remembers which post an address led to until any post changes (the
        page cache's "posts" token: a save, a deletion, a schedule coming due), and then
        reads that post by its key: building the address's query costs three times as
        much as running it. The addresses are taken before the query, so one found
        while a change commits is kept under the token from before it.
        """
        known = versions.kept(pagecache.POSTS, dict)
        address = (year, month, day, slug, visibility(user))
        if address in known:
            found = self.filter(pk=known[address])
        else:
            try:
                start = timezone.make_aware(datetime.datetime(int(year), int(month), int(day)))
            except ValueError:
                return None
            found = (
                self.visible_to(user)
                .posts()
                .filter(
                    slug=slug,
                    published_at__gte=start,
                    published_at__lt=start + datetime.timedelta(days=1),
                )
            )
        found = found.select_related("author")
        if not page:
            found = found.defer("body", "body_html", "body_text", "attributions", "excerpt")
        post = found.first()
        if post is not None:
            known[address] = post.pk
        return post

    def in_category(self, category):
        """Filed under ``category`` or any category inside it, as WordPress lists them."""
        return self.filter(
            Q(categories__path=category.path) | Q(categories__path__startswith=f"{category.path}/")
        ).distinct()

    def newest_first(self):
        return self.order_by("-published_at", "-id")


class Post(models.Model):
    """A post (dated, in feeds and archives) or a page (at ``/slug/``), or the thread of a
    page on another site (``external_url``: no body, no address here)."""

    class Type(models.TextChoices):
        POST = "post", "Post"
        PAGE = "page", "Page"
        EXTERNAL = "external", "Page on another site"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"
        PRIVATE = "private", "Private"

    class CommentStatus(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    type = models.CharField(max_length=10, choices=Type.choices, default=Type.POST)
    title = models.CharField(max_length=300)
    slug = models.SlugField(
        max_length=200,
        allow_unicode=True,
        help_text="The last part of the address. Changing it redirects the old address.",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="posts", on_delete=models.PROTECT
    )

    class Format(models.TextChoices):
        MARKDOWN = "markdown", "Markdown"
        # Imported from WordPress: HTML as it was stored there, given WordPress's paragraphs.
        HTML = "html", "HTML (imported)"

    body = models.TextField("body (Markdown)", blank=True)
    body_format = models.CharField(max_length=10, choices=Format.choices, default=Format.MARKDOWN)
    body_html = models.TextField(editable=False, blank=True)
    body_text = models.TextField(editable=False, blank=True)
    excerpt = models.TextField(blank=True, max_length=1000)
    # Quotation attributions parsed from the body; structured sources replace this later.
    attributions = models.JSONField(default=list, editable=False, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField("publish time", default=timezone.now, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    comment_status = models.CharField(
        max_length=10, choices=CommentStatus.choices, default=CommentStatus.OPEN
    )
    hold_comments = models.BooleanField(
        "hold every comment",
        default=False,
        help_text="Every comment on this post waits for a moderator, whatever the site's rule.",
    )
    categories = models.ManyToManyField(Category, blank=True, related_name="posts")
    tags = models.ManyToManyField(Tag, blank=True, related_name="posts")
    sticky = models.BooleanField(default=False, help_text="Kept from WordPress imports.")
    # Approved comments, kept in step by the discussion app; 0 until comments exist.
    comment_count = models.PositiveIntegerField(default=0, editable=False)
    # When any comment of the post last changed: versions cached threads (and, later,
    # the page's Last-Modified).
    comments_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The page on another site whose thread this is (type external), normalised by
    # ``publishing.external.normalize_url()``; made by the page's first comment.
    external_url = models.URLField(
        "page on another site", max_length=1000, null=True, blank=True, unique=True, editable=False
    )

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["type", "status", "published_at"])]
        constraints = [
            models.UniqueConstraint(fields=["type", "slug"], name="unique_slug_per_type"),
        ]
        permissions = [("edit_others_posts", "Can edit and publish other people's posts")]

    def __str__(self):
        return self.title

    def save(self, *args, editor=None, **kwargs):
        """Render the body, keep a revision, and remember the old address if it moved.

        In the same transaction, a ``post_save`` receiver (``signal_handlers``) makes the
        post's quotations those of its HTML, as the search index is kept.
        """
        if self.is_external:
            # A holder for another site's page's comments: no body, address or history
            # here. Slugs are unique per type, and titles of other sites repeat.
            digest = hashlib.sha256(self.external_url.encode(), usedforsecurity=False)
            self.slug = self.slug or digest.hexdigest()[:40]
            return super().save(*args, **kwargs)
        if not self.slug:
            self.slug = slugify(self.title, allow_unicode=True)[:200] or "untitled"
        # A published post dated in the future is scheduled, and the other way round.
        if self.status in {self.Status.PUBLISHED, self.Status.SCHEDULED}:
            future = self.published_at > timezone.now()
            self.status = self.Status.SCHEDULED if future else self.Status.PUBLISHED
        self.render()
        with transaction.atomic():
            old_url = None
            if self.pk:
                previous = Post.objects.filter(pk=self.pk).first()
                old_url = previous.get_absolute_url() if previous else None
            super().save(*args, **kwargs)
            new_url = self.get_absolute_url()
            if old_url and old_url != new_url:
                PostAlias.objects.update_or_create(old_path=old_url, defaults={"post": self})
            PostAlias.objects.filter(old_path=new_url).delete()
            Revision.objects.create(
                post=self,
                title=self.title,
                slug=self.slug,
                body=self.body,
                excerpt=self.excerpt,
                editor=editor,
            )

    def get_absolute_url(self):
        if self.is_external:
            return self.external_url
        name = "publishing:page" if self.is_page else "publishing:post"
        return reverse(name, kwargs=self.url_kwargs())

    @property
    def author_name(self):
        """The author as readers see them (never their login)."""
        return public_name(self.author)

    @property
    def is_page(self):
        return self.type == self.Type.PAGE

    @property
    def is_external(self):
        return self.type == self.Type.EXTERNAL

    @property
    def is_public(self):
        return (
            self.status in {self.Status.PUBLISHED, self.Status.SCHEDULED}
            and self.published_at <= timezone.now()
        )

    def clean(self):
        if len(self.body or "") > settings.MAX_POST_LENGTH:
            raise ValidationError(
                {
                    "body": f"Body: at most {settings.MAX_POST_LENGTH:,} characters "
                    f"(this one has {len(self.body):,})."
                }
            )
        if self.is_page and (
            self.slug in RESERVED_PAGE_SLUGS or (self.slug.isascii() and self.slug.isdigit())
        ):
            raise ValidationError(
                {"slug": f"Slug: “{self.slug}” is taken by the site's own addresses."}
            )

    def url_kwargs(self):
        if self.is_page:
            return {"slug": self.slug}
        local = timezone.localtime(self.published_at)
        return {
            "year": f"{local.year:04d}",
            "month": f"{local.month:02d}",
            "day": f"{local.day:02d}",
            "slug": self.slug,
        }

    def render(self):
        if self.body_format == self.Format.HTML:
            rendered = markup.render_post_html(self.body)
        else:
            rendered = markup.render_post_markdown(self.body)
        self.body_html = rendered.html
        self.body_text = markup.html_to_text(rendered.html)
        self.attributions = [attribution.as_dict() for attribution in rendered.attributions]

    def summary(self):
        """The excerpt, or the start of the text."""
        if self.excerpt:
            return self.excerpt
        words = self.body_text.split()
        return " ".join(words[:55]) + (" …" if len(words) > 55 else "")


class Page(Post):
    """Pages, listed apart from posts in the admin."""

    class Meta:
        proxy = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type = Post.Type.PAGE


class ExternalThread(Post):
    """Threads of other sites' pages, listed apart in the admin."""

    class Meta:
        proxy = True
        verbose_name = "thread of another site's page"
        verbose_name_plural = "threads of other sites' pages"


class UpdateNote(models.Model):
    """A dated public note added after publishing ("Post Script", "Update")."""

    class Label(models.TextChoices):
        POST_SCRIPT = "Post Script", "Post Script"
        UPDATE = "Update", "Update"
        CORRECTION = "Correction", "Correction"

    post = models.ForeignKey(Post, related_name="updates", on_delete=models.CASCADE)
    label = models.CharField(max_length=40, choices=Label.choices, default=Label.UPDATE)
    published_at = models.DateTimeField("time", default=timezone.now)
    body = models.TextField("note (Markdown)", max_length=50_000)
    body_html = models.TextField(editable=False, blank=True)

    class Meta:
        ordering = ["published_at", "id"]

    def __str__(self):
        return f"{self.label}, {self.published_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        rendered = markup.render_post_markdown(self.body)
        self.body_html = rendered.html
        super().save(*args, **kwargs)

    @property
    def anchor(self):
        return f"update-{self.pk}"


class Revision(models.Model):
    """The text of a post as one save left it; every save keeps one."""

    post = models.ForeignKey(Post, related_name="revisions", on_delete=models.CASCADE)
    title = models.CharField(max_length=300)
    slug = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    excerpt = models.TextField(blank=True)
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.post} at {self.created_at:%Y-%m-%d %H:%M:%S}"


class PostAlias(models.Model):
    """An address a post used to have; requests for it are redirected (301)."""

    old_path = models.CharField(max_length=1000, unique=True)
    post = models.ForeignKey(Post, related_name="aliases", on_delete=models.CASCADE)

    class Meta:
        verbose_name_plural = "post aliases"

    def __str__(self):
        return self.old_path


class Source(models.Model):
    """A piece of writing a post quotes: an article, a statement, a report."""

    url = models.URLField("address", max_length=2000, blank=True)
    title = models.CharField(max_length=300, blank=True)
    publisher = models.CharField(max_length=200, blank=True)
    publisher_slug = models.SlugField(max_length=200, blank=True, db_index=True, editable=False)
    author = models.CharField(max_length=200, blank=True)
    published_on = models.DateField("published", null=True, blank=True)
    first_seen = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["publisher", "title"]

    def __str__(self):
        if self.publisher and self.title:
            return f"{self.publisher}: “{self.title}”"
        return self.publisher or self.title or self.url or f"Source {self.pk}"

    def save(self, *args, **kwargs):
        self.publisher_slug = slugify(self.publisher, allow_unicode=True)[:200]
        super().save(*args, **kwargs)


class Quotation(models.Model):
    """One quoted passage of a post, in order: what it quotes and, once known, from where."""

    class Check(models.TextChoices):
        NOT_CHECKED = "not_checked", "Not checked"
        VERIFIED = "verified", "Verified"
        DIFFERS = "differs", "Differs from the source"
        UNAVAILABLE = "unavailable", "Source unavailable"
        CHANGED = "changed", "Source changed since quoted"

    post = models.ForeignKey(Post, related_name="quotations", on_delete=models.CASCADE)
    position = models.PositiveIntegerField()
    text = models.TextField()
    source = models.ForeignKey(
        Source, null=True, blank=True, related_name="quotations", on_delete=models.SET_NULL
    )
    # Set by the writer in the admin (rather than by an attribution line in the text): kept
    # when the post is saved again and its quotations are extracted anew.
    source_assigned = models.BooleanField(default=False, editable=False)
    note = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=12, choices=Check.choices, default=Check.NOT_CHECKED)
    diff = models.TextField(blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    # The fetch it was last checked against (its archived copy is what readers may see).
    archive = models.ForeignKey(
        "SourceArchive", null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["post", "position"]
        constraints = [
            models.UniqueConstraint(fields=["post", "position"], name="one_quotation_per_place")
        ]

    def __str__(self):
        return f"Quotation {self.position} of {self.post}"

    @property
    def words(self):
        return len(self.text.split())


class SourceArchive(models.Model):
    """One fetch of a source: the page as it was (gzipped), its digest and main text."""

    source = models.ForeignKey(Source, related_name="archives", on_delete=models.CASCADE)
    fetched_at = models.DateTimeField(default=timezone.now)
    final_url = models.URLField(max_length=2000, blank=True)
    http_status = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    raw_gzip = models.BinaryField(blank=True, default=b"", editable=False)
    text = models.TextField(blank=True)
    # Why nothing could be fetched (refused address, timeout …), for the editor.
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-fetched_at", "-pk"]
        get_latest_by = "fetched_at"

    def __str__(self):
        return f"{self.source} fetched {self.fetched_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("publishing:source_archive", kwargs={"pk": self.pk})

    @property
    def usable(self):
        return not self.error and self.http_status is not None and 200 <= self.http_status < 300
