import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from rejoinder.core import roles, server
from rejoinder.core.management.commands.serve import port_number
from rejoinder.operations.demo import load_demo
from rejoinder.publishing.models import Post


class Command(BaseCommand):
    help = (
        "Set up and serve the site: create the data directory, migrate, load demo content "
        "and an admin account on first run, then start the production server and, beside "
        "it, the worker that sends notification email."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=port_number, default=8000, help="Port (1-65535).")
        parser.add_argument("--workers", type=int, default=server.default_workers())

    def handle(self, *args, host, port, workers, **options):
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        self.stdout.write(f"Data directory: {settings.DATA_DIR}\n")
        call_command("migrate", interactive=False, verbosity=0)
        if not Post.objects.exists():
            self.first_run(server.display_url(host, port))
        server.exec_server(host, port, workers, self.stdout, with_worker=True)

    @transaction.atomic
    def first_run(self, url):
        """Create the admin account (printing its one-time password) and the demo content."""
        User = get_user_model()
        admin = User.objects.filter(is_superuser=True).order_by("pk").first()
        if admin is None:
            password = secrets.token_urlsafe(12)
            admin = User.objects.create_superuser(
                username="admin", email="", password=password, first_name="Site", last_name="Editor"
            )
            admin.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
            self.stdout.write(
                "Created the admin account. This password is shown once; change it after "
                f"logging in:\n  {url}admin/\n  username: admin\n  password: {password}\n"
            )
        count = load_demo(admin)
        self.stdout.write(f"Loaded {count} demo posts and pages.\n")
