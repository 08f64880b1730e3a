from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from rejoinder.core.networks import parse_network
from rejoinder.core.numbers import whole_number
from rejoinder.publishing.forms import LabelledErrorsMixin

from . import comments, queue
from .models import Ban, Comment, CommentEdit, DiscussionSettings


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

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        try:
            comments.check_depth(parent)
        except comments.CommentRefused as refusal:
            raise forms.ValidationError(refusal.message) from None
        return parent


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
    list_display = [
        "author_name", "excerpt", "post", "status", "created_at", "depth", "score", "hold_reasons",
    ]  # fmt: skip
    list_filter = ["status", "type", "locked"]
    search_fields = ["author_name", "author_email", "body"]
    raw_id_fields = ["post", "parent", "user"]
    date_hierarchy = "created_at"
    inlines = [CommentEditInline]
    actions = ["approve", "mark_spam", "move_to_trash", "lock_replies", "reopen_replies"]
    list_select_related = ["post"]

    @admin.display(description="comment")
    def excerpt(self, obj):
        return obj.body[:80]

    @admin.display(description="spam score", ordering="spam_score")
    def score(self, obj):
        return "—" if obj.spam_score is None else f"{obj.spam_score:.2f}"

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
            status = obj.status
            if "status" in form.changed_data:
                obj.status = form.initial["status"]
            obj.save()
            if status != obj.status:
                # A decision like the queue's: the classifier learns, approval notifies.
                comments.set_status(obj, status)
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

    def _decide(self, request, queryset, action):
        # The queue's decisions, so the list's actions train and notify the same way.
        chosen = list(queryset.select_related("post"))
        messages.success(request, queue.decide(chosen, action))

    @admin.action(description="Approve the selected comments", permissions=["change"])
    def approve(self, request, queryset):
        self._decide(request, queryset, queue.Action.APPROVE)

    @admin.action(description="Mark the selected comments as spam", permissions=["change"])
    def mark_spam(self, request, queryset):
        self._decide(request, queryset, queue.Action.SPAM)

    @admin.action(description="Move the selected comments to the trash", permissions=["change"])
    def move_to_trash(self, request, queryset):
        self._decide(request, queryset, queue.Action.TRASH)

    @admin.action(description="Lock replies under the selected comments", permissions=["change"])
    def lock_replies(self, request, queryset):
        self._decide(request, queryset, queue.Action.LOCK)

    @admin.action(description="Reopen replies under the selected comments", permissions=["change"])
    def reopen_replies(self, request, queryset):
        self._decide(request, queryset, queue.Action.UNLOCK)

    # The moderation queue: a page of its own beside the list, for the change permission.

    def get_urls(self):
        view = self.admin_site.admin_view
        own = [
            path("queue/", view(self.queue_view), name="discussion_comment_queue"),
            path("queue/decide/", view(self.decide_view), name="discussion_comment_decide"),
        ]
        return own + super().get_urls()

    def queue_view(self, request):
        """Pending, held or spam comments, newest first, with what a decision needs."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        tab = request.GET.get("tab")
        tab = tab if tab in queue.Tab.values else queue.Tab.PENDING
        counts = queue.tab_counts()
        page = queue.queue_page(tab, request.GET.get("page"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Moderation queue",
            "tab": tab,
            "tabs": [(choice, label, counts[choice]) for choice, label in queue.Tab.choices],
            "page": page,
            "actions": queue.Action.choices,
            "can_ban": request.user.has_perm("discussion.add_ban"),
            # The header's badge uses this rather than counting again.
            "moderation_pending_count": counts[queue.Tab.PENDING],
        }
        return TemplateResponse(request, "admin/discussion/queue.html", context)

    def decide_view(self, request):
        """Run a decision from the queue, then back to it (303) with what was done."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request):
            raise PermissionDenied
        ids = [
            number
            for value in request.POST.getlist("comment")
            if (number := whole_number(value)) is not None
        ]
        chosen = list(Comment.objects.filter(pk__in=ids).select_related("post"))
        action = request.POST.get("action")
        if action not in queue.Action.values:
            messages.error(request, "Action: choose what to do with the comments.")
        else:
            try:
                done = queue.decide(chosen, action, request.POST.get("reason", ""))
            except comments.CommentRefused as refusal:
                messages.error(request, refusal.message)
            else:
                messages.success(request, done)
        # Back to the same tab and page, rebuilt rather than taken from the form.
        back = {"tab": request.POST.get("tab", ""), "page": request.POST.get("page", "")}
        back = {key: value for key, value in back.items() if value.isalnum()}
        url = reverse("admin:discussion_comment_queue")
        response = HttpResponseRedirect(f"{url}?{urlencode(back)}" if back else url)
        response.status_code = 303
        return response


@admin.register(DiscussionSettings)
class DiscussionSettingsAdmin(admin.ModelAdmin):
    """One row of rules; the list page goes straight to it."""

    fieldsets = [
        ("Before a comment appears", {"fields": ["moderation", "trusted_after", "hold_links"]}),
        ("Hold and block lists", {"fields": ["hold_list", "block_list"]}),
        ("Flood control", {"fields": ["flood_seconds", "hourly_limit", "min_form_seconds"]}),
        ("Spam classifier", {"fields": ["spam_hold_score", "spam_score"]}),
        (
            "Email to post authors",
            {"fields": ["notify_author_comment", "notify_author_moderation"]},
        ),
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        from django.shortcuts import redirect

        DiscussionSettings.load()
        return redirect("admin:discussion_discussionsettings_change", 1)


class BanForm(LabelledErrorsMixin, forms.ModelForm):
    class Meta:
        model = Ban
        fields = ["user", "email", "ip_range", "reason", "expires_at"]

    def clean_ip_range(self):
        value = self.cleaned_data["ip_range"].strip()
        if value and parse_network(value) is None:
            raise forms.ValidationError(
                "enter an address (203.0.113.7) or a range (203.0.113.0/24)."
            )
        return value

    def clean(self):
        data = super().clean()
        if not (data.get("user") or data.get("email") or data.get("ip_range")):
            raise forms.ValidationError(
                "Name whom to ban: an account, an email address or an IP range."
            )
        return data


@admin.register(Ban)
class BanAdmin(admin.ModelAdmin):
    form = BanForm
    list_display = ["__str__", "reason", "expires_at", "created_at"]
    raw_id_fields = ["user"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.save()
        moved = comments.spam_pending_of(obj)
        if moved:
            messages.info(request, f"{moved} pending comment(s) of theirs moved to spam.")
