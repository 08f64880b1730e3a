import sys

from django.core.management.base import BaseCommand, CommandError

from rejoinder.interop import disqus, wordpress, wxr


class Command(BaseCommand):
    help = (
        "Import another blog's export: `rejoinder import wordpress FILE.xml [--dry-run]` or "
        "`rejoinder import disqus FILE.xml [--create-missing]`. All or nothing; importing "
        "the same file again adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", choices=["wordpress", "disqus"], help="What made the file.")
        parser.add_argument("file", help="The export file (WXR 1.0-1.2, or Disqus XML).")
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help="Disqus: a thread that matches no post becomes a draft post.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Read and check everything, write nothing."
        )

    def handle(self, *args, source, file, dry_run, create_missing, **options):
        progress = self.progress if sys.stderr.isatty() else None
        try:
            if source == "disqus":
                progress = None
                report = disqus.import_disqus(file, create_missing=create_missing, dry_run=dry_run)
            else:
                report = wordpress.import_wxr(file, dry_run=dry_run, progress=progress)
        except FileNotFoundError:
            raise CommandError(f"No such file: {file}") from None
        except wxr.WxrError as error:
            raise CommandError(str(error)) from None
        if progress:
            sys.stderr.write("\n")
        for line in report.lines():
            self.stdout.write(line)

    def progress(self, items, comments, elapsed, final):
        sys.stderr.write(
            f"\r{items:,} items, {comments:,} comments "
            f"({items / elapsed:,.0f} items/s, {comments / elapsed:,.0f} comments/s)"
        )
        sys.stderr.flush()
