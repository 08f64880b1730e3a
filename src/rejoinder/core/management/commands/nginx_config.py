from django.core.management.base import BaseCommand, CommandError

from rejoinder.core import nginx


class Command(BaseCommand):
    help = (
        "Print the nginx configuration that serves the page cache's files and proxies the "
        "rest to `rejoinder serve` (docs/operations.md). Needs REJOINDER_PAGE_CACHE_DIR."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--listen", default="80", help="nginx's listen (default 80).")
        parser.add_argument(
            "--upstream",
            action="append",
            help="A `rejoinder serve` address, host:port; repeat for several "
            "(default 127.0.0.1:8000).",
        )
        parser.add_argument("--server-name", default="_", help="nginx's server_name.")
        parser.add_argument(
            "--run-dir",
            help="Print a whole nginx.conf instead of a server block, with its pid, logs "
            "and temporary files in this directory.",
        )

    def handle(self, *args, listen, upstream, server_name, run_dir, **options):
        upstreams = upstream or ["127.0.0.1:8000"]
        try:
            if run_dir:
                text = nginx.standalone(listen, upstreams, run_dir, server_name)
            else:
                text = nginx.server_block(listen, upstreams, server_name)
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(text)
