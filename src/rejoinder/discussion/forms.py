import re

from django import forms

from rejoinder.publishing.forms import LabelledErrorsMixin

from . import stamps
from .stamps import issue as issue_stamp  # noqa: F401 (the tests' name for it)

BODY_LIMIT = 20_000
# What a quote-reply may name: a paragraph or quotation of the post (the anchors
# publishing.quotations gives its blocks) or a comment.
QUOTED_ANCHOR = re.compile(r"(p|quotation|comment)-[0-9]{1,9}")


# The form's own refusals of the stamp and of the robot trap, by code (the API names the
# field each concerns: the hidden fields have no place in the form to show it).
STAMP_REFUSED, TRAP_FILLED = "stamp", "trap"


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
    # Set by the "Quote" button: the anchor of the paragraph or comment the text quotes.
    quoted = forms.CharField(
        label="Quoted passage", required=False, max_length=40, widget=forms.HiddenInput
    )
    notify_replies = forms.BooleanField(label="Email me replies to my comment", required=False)
    notify_all = forms.BooleanField(label="Email me every new comment on this post", required=False)
    remember = forms.BooleanField(
        label="Save my name, email and website in this browser for the next time I comment",
        required=False,
    )
    # Anti-automation: the time the form was served (signed), and a field people never see
    # (hidden by the style sheet, skipped by the keyboard) that form-filling robots fill.
    issued = forms.CharField(required=False, widget=forms.HiddenInput)
    url = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

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
        self.fields["issued"].initial = stamps.issue()
        for name, messages in self.error_messages_by_field.items():
            self.fields[name].error_messages.update(messages)
        if user is not None and user.is_authenticated:
            for name in ("name", "email", "website", "remember"):
                del self.fields[name]
        for name in ("email", "website"):
            if name in self.fields:
                # The "(optional)" note beside the label, read out with the field.
                self.fields[name].widget.attrs["aria-describedby"] = f"id_{name}-hint"

    def renew(self):
        """Before showing a refused form again: a new stamp (so "send it again" works even
        if the old one had expired), the robots' field emptied (a browser's autofill may
        have filled it), and the optional fields' errors tied to them for screen readers."""
        if self.is_bound and "issued" in self.fields:
            self.data = self.data.copy()
            self.data["issued"] = stamps.issue()
            self.data["url"] = ""
        for name in ("email", "website"):
            if name in self.fields and self.errors.get(name):
                # The note and the error, both read out with the field (Django links the
                # error itself only when no aria-describedby is set).
                self.fields[name].widget.attrs["aria-describedby"] = (
                    f"id_{name}-hint id_{name}_error"
                )

    def clean(self):
        data = super().clean()
        if data.get("url"):
            raise forms.ValidationError(
                "The form's hidden “leave empty” field was filled in, as robots do; nothing was "
                "saved. If you are a person, empty it and send again.",
                code=TRAP_FILLED,
            )
        wants_mail = data.get("notify_replies") or data.get("notify_all")
        if wants_mail and "email" in self.fields and not data.get("email"):
            self.add_error(
                "email", forms.ValidationError("needed to email you (or untick the email boxes).")
            )
        elif wants_mail and "email" not in self.fields and not self.user.email:
            box = "notify_replies" if data.get("notify_replies") else "notify_all"
            self.add_error(
                box,
                forms.ValidationError(
                    "your account has no email address: add one to your account first."
                ),
            )
        if "issued" not in self.fields:
            return data
        data["stamp"] = stamps.read(data.get("issued"))
        if data["stamp"] is None:
            raise forms.ValidationError(
                "This form is more than a day old or did not come from this site; nothing "
                "was saved. Your text is kept below: send it again.",
                code=STAMP_REFUSED,
            )
        if stamps.is_spent(data["stamp"]):
            # Checked again, atomically, as the comment is saved (create_comment).
            raise forms.ValidationError(stamps.USED, code=STAMP_REFUSED)
        return data

    def clean_quoted(self):
        anchor = self.cleaned_data.get("quoted", "")
        if anchor and not QUOTED_ANCHOR.fullmatch(anchor):
            raise forms.ValidationError(
                "not a paragraph or comment of this page (an anchor like p-3, quotation-2 or "
                "comment-14 was expected); reload the page and quote again."
            )
        return anchor

    def clean_website(self):
        url = self.cleaned_data.get("website", "")
        if url and not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError(
                "enter a web address starting with http:// or https://, or leave it empty."
            )
        return url
