from django import forms

from rejoinder.publishing.forms import LabelledErrorsMixin

BODY_LIMIT = 20_000


class CommentForm(LabelledErrorsMixin, forms.Form):
    """A reader's comment: name (unless signed in), optional email and website, the text."""

    name = forms.CharField(label="Name", max_length=100, required=True)
    email = forms.EmailField(label="Email", max_length=254, required=False)
    website = forms.URLField(label="Website", max_length=500, required=False, assume_scheme="https")
    body = forms.CharField(
        label="Comment",
        min_length=1,
        max_length=BODY_LIMIT,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    error_messages_by_field = {
        "name": {
            "required": "required when you are not signed in.",
            "max_length": "at most %(limit_value)d characters (you typed %(show_value)d).",
        },
        "email": {
            "invalid": "enter a valid address, like name@example.org, or leave it empty.",
            "max_length": "at most %(limit_value)d characters (you typed %(show_value)d).",
        },
        "website": {
            "invalid": "enter a web address starting with http:// or https://, or leave it empty.",
            "max_length": "at most %(limit_value)d characters (you typed %(show_value)d).",
        },
        "body": {
            "required": "write something (1 to 20,000 characters).",
            "max_length": "at most 20,000 characters (you typed %(show_value)d).",
        },
    }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for name, messages in self.error_messages_by_field.items():
            self.fields[name].error_messages.update(messages)
        if user is not None and user.is_authenticated:
            for name in ("name", "email", "website"):
                del self.fields[name]
        for name in ("email", "website"):
            if name in self.fields:
                # The "(optional)" note beside the label, read out with the field.
                self.fields[name].widget.attrs["aria-describedby"] = f"id_{name}-hint"

    def clean_website(self):
        url = self.cleaned_data.get("website", "")
        if url and not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError(
                "enter a web address starting with http:// or https://, or leave it empty."
            )
        return url
