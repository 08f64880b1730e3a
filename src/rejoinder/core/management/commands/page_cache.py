from django.conf import settings
from django.core.management.base import BaseCommand

from rejoinder.core import pagecache, pagefiles


class Command(BaseCommand):
    help = (
        "Look after the page cache: --prune deletes cached files (REJOINDER_PAGE_CACHE_DIR) "
        "older than REJOINDER_PAGE_CACHE_SECONDS, as the application forgets its own copies "
        "(run it every few minutes from cron with the nginx front); --clear forgets every "
        "cached page, in every process."
    )

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--prune", action="store_true", help="Delete files past their age.")
        action.add_argument("--clear", action="store_true", help="Forget every cached page.")

    def handle(self, *args, prune, clear, **options):
        if clear:
            pagecache.clear()
            self.stdout.write("Every cached page is forgotten.\n")
            return
        if not settings.PAGE_CACHE_DIR:
            self.stdout.write("No REJOINDER_PAGE_CACHE_DIR: no files to prune.\n")
            return
        count = pagefiles.prune(settings.PAGE_CACHE_DIR, settings.PAGE_CACHE_SECONDS)
        self.stdout.write(f"Deleted {count} cached file{'s' if count != 1 else ''}.\n")
