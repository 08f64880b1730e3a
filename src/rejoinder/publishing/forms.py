from django import forms
from django.conf import settings

from .models import Post, UpdateNote


class LabelledErrorsMixin:
    """Start every field error with the field's label, so the message names the field.

    Django shows errors beside their field; the summary at the top of the page, screen
    readers and API-like uses of the form only see the text, so it must say which field.
    """

    def add_error(self, field, error):
        if field and field in self.fields and isinstance(error, forms.ValidationError):
            label = str(self.fields[field].label or field)
            label = label[:1].upper() + label[1:]
            error = forms.ValidationError([_prefixed(label, message) for message in error.messages])
        super().add_error(field, error)


def _prefixed(label, message):
    return message if message.startswith(f"{label}:") else f"{label}: {message}"


class PostForm(LabelledErrorsMixin, forms.ModelForm):
    class Meta:
        model = Post
        fields = [
            "title", "slug", "body", "body_format", "excerpt", "status", "published_at",
            "comment_status", "sticky", "author", "categories", "tags",
        ]  # fmt: skip
        widgets = {
            "body": forms.Textarea(attrs={"rows": 24, "class": "markdown-source"}),
            "excerpt": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_body(self):
        body = self.cleaned_data.get("body", "")
        limit = settings.MAX_POST_LENGTH
        if len(body) > limit:
            raise forms.ValidationError(
                f"at most {limit:,} characters (this one has {len(body):,})."
            )
        return body


class UpdateNoteForm(LabelledErrorsMixin, forms.ModelForm):
    class Meta:
        model = UpdateNote
        fields = ["label", "published_at", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6, "class": "markdown-source"})}
