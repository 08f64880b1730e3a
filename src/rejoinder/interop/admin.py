import tempfile

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path

from .models import ImportRecord


class ImportForm(forms.Form):
    source = forms.ChoiceField(
        label="Exported from",
        choices=[("wordpress", "WordPress (WXR .xml)"), ("disqus", "Disqus (.xml)")],
    )
    file = forms.FileField(label="Export file")
    dry_run = forms.BooleanField(label="Dry run: check everything, write nothing", required=False)
    create_missing = forms.BooleanField(
        label="Disqus: make a draft post for each thread that matches no post", required=False
    )


@admin.register(ImportRecord)
class ImportRecordAdmin(admin.ModelAdmin):
    """What came from where; and the page that imports a WordPress or Disqus export."""

    list_display = ["kind", "source_id", "source", "object_id", "url", "imported_at"]
    list_filter = ["kind", "source"]
    search_fields = ["source_id", "url"]
    change_list_template = "admin/interop/importrecord/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="interop_import"), *super().get_urls()]

    def import_view(self, request):
        """Upload an export and see the same report the command prints."""
        if not request.user.is_superuser:
            raise PermissionDenied
        # Here, not at the top: the importers bring lxml (~8 MB), which a server process
        # that never imports anything does without.
        from . import disqus, wordpress, wxr

        form = ImportForm(request.POST or None, request.FILES or None)
        report, error = None, None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            with tempfile.NamedTemporaryFile(suffix=".xml") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
                handle.flush()
                try:
                    if form.cleaned_data["source"] == "disqus":
                        report = disqus.import_disqus(
                            handle.name,
                            create_missing=form.cleaned_data["create_missing"],
                            dry_run=form.cleaned_data["dry_run"],
                        )
                    else:
                        report = wordpress.import_wxr(
                            handle.name, dry_run=form.cleaned_data["dry_run"]
                        )
                except wxr.WxrError as failure:
                    error = str(failure)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import an export",
            "form": form,
            "report_lines": report.lines() if report else None,
            "error": error,
        }
        return TemplateResponse(request, "admin/interop/import.html", context)
