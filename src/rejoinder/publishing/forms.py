from django import forms
from django.conf import settings

from rejoinder.core.text import find_control_character

from .models import Post, UpdateNote


class LabelledErrorsMixin:
    """Start every field error with the field's label, so the message names the field.

    Django shows errors beside their field; the summary at the top of the page, screen
    readers and API-like uses of the form only see the text, so it must say which field.
    Every text field also refuses the characters feeds and exports cannot carry
    (``refuse_control_characters``).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.validators.append(refuse_control_characters)

    def add_error(self, field, error):
        if field and field in self.fields and isinstance(error, forms.ValidationError):
            label = str(self.fields[field].label or field)
            label = label[:1].upper() + label[1:]
            error = forms.ValidationError([_prefixed(label, message) for message in error.messages])
        super().add_error(field, error)


def refuse_control_characters(value):
    """Refuse text holding a character XML 1.0 cannot carry (a control character, a lone
    surrogate): stored, it would break every feed and export showing it."""
    position = find_control_character(value)
    if position is not None:
        raise forms.ValidationError(
            f"contains an invisible control character (U+{ord(value[position]):04X}, "
            f"character {position + 1}) that feeds and exports cannot carry; remove it.",
            code="control_character",
        )


def _prefixed(label, message):
    return message if message.startswith(f"{label}:") else f"{label}: {message}"


class CheckedModelForm(LabelledErrorsMixin, forms.ModelForm):
    """The admin's form for a model with no form of its own: labelled errors, and text
    fields that refuse what feeds and exports cannot carry."""


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
