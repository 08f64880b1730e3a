import sys

from django.core.management.base import BaseCommand

from rejoinder.interop.wxr_export import export_wxr


class Command(BaseCommand):
    help = (
        "Export the whole site for WordPress: `rejoinder export wordpress [-o FILE]` writes "
        "WXR 1.2 (posts, pages, categories, tags, authors, comments) to FILE or stdout."
    )

    def add_arguments(self, parser):
        parser.add_argument("target", choices=["wordpress"], help="The format to write.")
        parser.add_argument("-o", "--output", help="File to write (default: standard output).")

    def handle(self, *args, target, output, **options):
        if output:
            with open(output, "wb") as handle:
                changes = export_wxr(handle)
            self.stderr.write(f"Wrote {output}")
        else:
            changes = export_wxr(sys.stdout.buffer)
        # Never silently: what had to change to keep the file valid XML, item and field.
        for change in changes:
            self.stderr.write(f"warning: {change}")
