from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from . import markup, quotations, revisions
from .forms import CheckedModelForm, PostForm, UpdateNoteForm
from .models import (
    Category,
    ExternalThread,
    Page,
    Post,
    PostAlias,
    Quotation,
    Revision,
    Source,
    Tag,
    UpdateNote,
)
from .tasks import check_post_sources


@require_POST
def preview(request):
    """Render Markdown exactly as saving would, for the editor's preview pane."""
    if not request.user.has_perm("publishing.change_post"):
        raise PermissionDenied
    return JsonResponse({"html": markup.render_post_markdown(request.POST.get("body", "")).html})


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    form = CheckedModelForm
    list_display = ["__str__", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "parent", "description"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    form = CheckedModelForm
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class UpdateNoteInline(admin.StackedInline):
    model = UpdateNote
    form = UpdateNoteForm
    extra = 0
    verbose_name = "public update note"


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    form = CheckedModelForm
    list_display = ["publisher", "title", "url", "first_seen"]
    search_fields = ["publisher", "title", "url"]


class QuotationInline(admin.TabularInline):
    """The post's quotations, found in its text: the writer names their sources here."""

    model = Quotation
    form = CheckedModelForm
    extra = 0
    can_delete = False
    fields = ["position", "passage", "source", "note", "status", "diff"]
    readonly_fields = ["position", "passage", "status", "diff"]
    autocomplete_fields = ["source"]
    verbose_name_plural = "quotations (found in the text; assign a source to unattributed ones)"

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="passage")
    def passage(self, obj):
        words = obj.text.split()
        hint = "" if obj.source_id else " — unattributed: name its source"
        return " ".join(words[:25]) + (" …" if len(words) > 25 else "") + hint


class EntryAdmin(admin.ModelAdmin):
    """Shared editing screen of posts and pages: Markdown with preview, revisions, roles."""

    entry_type = Post.Type.POST
    form = PostForm
    list_display = ["title", "status", "published_at", "author", "comment_count"]
    list_filter = ["status", "comment_status"]
    search_fields = ["title", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    inlines = [UpdateNoteInline, QuotationInline]
    actions = ["check_sources"]
    change_form_template = "admin/publishing/post_change_form.html"
    fieldsets = [
        (None, {"fields": ["title", "slug", "body", "body_format", "excerpt"]}),
        (
            "Publishing",
            {
                "fields": [
                    "status",
                    "published_at",
                    "comment_status",
                    "hold_comments",
                    "sticky",
                    "author",
                ]
            },
        ),
    ]

    class Media:
        js = ["rejoinder/admin/preview.js"]
        css = {"all": ["rejoinder/admin/preview.css"]}

    def get_queryset(self, request):
        posts = super().get_queryset(request).filter(type=self.entry_type)
        if not request.user.has_perm("publishing.edit_others_posts"):
            posts = posts.filter(author=request.user)
        return posts.select_related("author")

    def get_readonly_fields(self, request, obj=None):
        if request.user.has_perm("publishing.edit_others_posts"):
            return []
        return ["author"]

    def get_changeform_initial_data(self, request):
        return {**super().get_changeform_initial_data(request), "author": request.user.pk}

    def save_model(self, request, obj, form, change):
        if not change and not obj.author_id:
            obj.author = request.user
        obj.type = self.entry_type
        obj.save(editor=request.user)

    @admin.action(description="Check quotations against their sources", permissions=["change"])
    def check_sources(self, request, queryset):
        for post in queryset:
            check_post_sources.enqueue(post.pk)
        messages.success(
            request,
            f"Checking the sources of {queryset.count()} post(s) in the background: "
            "the results show on each post's screen.",
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is not Quotation:
            return super().save_formset(request, form, formset, change)
        # A source chosen here is the writer's: it outlives later edits of the text.
        # Only these fields: the post's save just now may have changed the passages.
        newly_sourced = False
        for quotation in formset.save(commit=False):
            stored = Quotation.objects.filter(pk=quotation.pk).values_list("source", flat=True)
            changes = {"note": quotation.note}
            if quotation.source_id != stored.first():
                changes.update(
                    source=quotation.source,
                    source_assigned=quotation.source_id is not None,
                    status=Quotation.Check.NOT_CHECKED,
                    diff="",
                    checked_at=None,
                    archive=None,
                )
                newly_sourced = newly_sourced or quotation.source_id is not None
            Quotation.objects.filter(pk=quotation.pk).update(**changes)
        quotations.link_passages(form.instance)
        if newly_sourced and form.instance.is_public:
            post_id = form.instance.pk
            transaction.on_commit(lambda: check_post_sources.enqueue(post_id))
        percent = settings.QUOTE_SHARE_WARNING
        for line in quotations.over_share(form.instance, percent):
            messages.warning(
                request,
                f"This post quotes {line.share:.0%} of {line.source} (more than {percent}%): "
                "is that fair use? Quote less, or summarise.",
            )
        return None

    def url_name(self, action):
        return f"{self.opts.app_label}_{self.opts.model_name}_{action}"

    def get_urls(self):
        view = self.admin_site.admin_view
        own = [
            path("preview/", view(preview), name=self.url_name("preview")),
            path(
                "<int:object_id>/revisions/",
                view(self.revisions_view),
                name=self.url_name("revisions"),
            ),
            path(
                "<int:object_id>/revisions/<int:revision_id>/",
                view(self.revision_view),
                name=self.url_name("revision"),
            ),
        ]
        return own + super().get_urls()

    def _editable(self, request, object_id):
        post = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_change_permission(request, post):
            raise PermissionDenied
        return post

    def revisions_view(self, request, object_id):
        post = self._editable(request, object_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "post": post,
            "revisions": post.revisions.select_related("editor"),
            "title": f"Revisions of “{post}”",
        }
        return TemplateResponse(request, "admin/publishing/revisions.html", context)

    def revision_view(self, request, object_id, revision_id):
        post = self._editable(request, object_id)
        revision = get_object_or_404(Revision, pk=revision_id, post=post)
        if request.method == "POST":
            revisions.restore(revision, editor=request.user)
            messages.success(
                request, f"Restored the revision of {revision.created_at:%Y-%m-%d %H:%M:%S}."
            )
            return redirect(reverse(f"admin:{self.url_name('change')}", args=[post.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "post": post,
            "revision": revision,
            "changes": revisions.diff(revision, post),
            "title": f"Revision of “{post}”",
        }
        return TemplateResponse(request, "admin/publishing/revision.html", context)


@admin.register(Post)
class PostAdmin(EntryAdmin):
    fieldsets = [*EntryAdmin.fieldsets, ("Filed under", {"fields": ["categories", "tags"]})]
    filter_horizontal = ["categories", "tags"]


@admin.register(Page)
class PageAdmin(EntryAdmin):
    entry_type = Post.Type.PAGE


@admin.register(ExternalThread)
class ExternalThreadAdmin(admin.ModelAdmin):
    """The threads of other sites' pages: made by their first comment, never written here;
    their comments are moderated with all the others."""

    list_display = ["title", "external_url", "comment_count", "published_at"]
    search_fields = ["title", "external_url"]
    fields = ["title", "external_url", "comment_status", "hold_comments", "comment_count"]
    readonly_fields = ["external_url", "comment_count"]

    def get_queryset(self, request):
        return super().get_queryset(request).external()

    def has_add_permission(self, request):
        return False


@admin.register(PostAlias)
class PostAliasAdmin(admin.ModelAdmin):
    list_display = ["old_path", "post"]
    search_fields = ["old_path"]
    raw_id_fields = ["post"]
