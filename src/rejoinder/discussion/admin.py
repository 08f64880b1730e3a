from django import forms
from django.contrib import admin, messages

from rejoinder.publishing.forms import LabelledErrorsMixin

from . import comments
from .models import Comment, CommentEdit


class CommentAdminForm(LabelledErrorsMixin, forms.ModelForm):
    author_url = forms.URLField(
        label="Website", max_length=500, required=False, assume_scheme="https"
    )

    class Meta:
        model = Comment
        fields = [
            "post", "parent", "status", "type", "user", "author_name", "author_email",
            "author_url", "created_at", "body",
        ]  # fmt: skip


class CommentEditInline(admin.TabularInline):
    model = CommentEdit
    extra = 0
    can_delete = False
    fields = ["edited_at", "editor", "body"]
    readonly_fields = fields
    verbose_name = "earlier text"
    verbose_name_plural = "earlier texts (one per edit)"

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """Moderation screen; new comments go through the same create_comment() as readers'."""

    form = CommentAdminForm
    list_display = ["author_name", "excerpt", "post", "status", "created_at", "depth"]
    list_filter = ["status", "type"]
    search_fields = ["author_name", "author_email", "body"]
    raw_id_fields = ["post", "parent", "user"]
    date_hierarchy = "created_at"
    inlines = [CommentEditInline]
    actions = ["approve", "mark_spam", "move_to_trash"]
    list_select_related = ["post"]

    @admin.display(description="comment")
    def excerpt(self, obj):
        return obj.body[:80]

    def get_readonly_fields(self, request, obj=None):
        # Where a comment sits in its thread is fixed once it exists.
        return ["post", "parent", "ip_address", "user_agent"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            if "body" in form.changed_data:
                # Keep the earlier text, as for any edit.
                new_body = obj.body
                obj.body = form.initial["body"]
                comments.edit_comment(obj, new_body, editor=request.user)
            obj.save()
            # Status, name or text: the count and the cached thread follow any change.
            comments.record_change(obj.post)
            return
        data = form.cleaned_data
        created = comments.create_comment(
            post=data["post"],
            parent=data["parent"],
            body=data["body"],
            user=data["user"],
            author_name=data["author_name"],
            author_email=data["author_email"],
            author_url=data["author_url"],
            status=data["status"],
            created_at=data["created_at"],
            type=data["type"],
            enforce_rules=False,
        )
        obj.pk = created.pk

    def delete_model(self, request, obj):
        # As for its author: a comment with replies leaves a tombstone, never its subtree.
        comments.delete_comment(obj)

    def delete_queryset(self, request, queryset):
        # Deepest first, so a tombstone emptied by the same deletion goes too.
        for comment in queryset.select_related("post", "parent").order_by("-depth"):
            if Comment.objects.filter(pk=comment.pk).exists():
                comments.delete_comment(comment)

    def _set(self, request, queryset, status, label):
        for comment in queryset.select_related("post"):
            comments.set_status(comment, status)
        messages.success(request, f"{queryset.count()} comment(s) {label}.")

    @admin.action(description="Approve the selected comments", permissions=["change"])
    def approve(self, request, queryset):
        self._set(request, queryset, Comment.Status.APPROVED, "approved")

    @admin.action(description="Mark the selected comments as spam", permissions=["change"])
    def mark_spam(self, request, queryset):
        self._set(request, queryset, Comment.Status.SPAM, "marked as spam")

    @admin.action(description="Move the selected comments to the trash", permissions=["change"])
    def move_to_trash(self, request, queryset):
        self._set(request, queryset, Comment.Status.TRASH, "moved to the trash")
