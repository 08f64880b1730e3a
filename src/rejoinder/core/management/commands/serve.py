from django.core.management.base import BaseCommand, CommandError

from rejoinder.core import server


def port_number(value):
    port = int(value)
    if not 1 <= port <= 65535:
        raise ValueError(value)
    return port


class Command(BaseCommand):
    help = "Serve the site with the production server (granian, WSGI). Never the dev server."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=port_number, default=8000, help="Port (1-65535).")
        parser.add_argument(
            "--workers",
            type=int,
            default=server.default_workers(),
            help="Worker processes (default: one per CPU core).",
        )
        parser.add_argument(
            "--with-worker",
            action="store_true",
            help="Also run the task worker (notification email) beside the server, as "
            "`rejoinder run` does. Without it, run `rejoinder db_worker` as its own service.",
        )

    def handle(self, *args, host, port, workers, with_worker, **options):
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        server.exec_server(host, port, workers, self.stdout, with_worker=with_worker)
