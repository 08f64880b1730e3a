from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError

from rejoinder.operations import backups


class Command(BaseCommand):
    help = (
        "Back up the database while the site runs: SQLite's online backup, or pg_dump. "
        "Media files are not included."
    )

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="File to write (default: a dated name).")

    def handle(self, *args, output, **options):
        target = output or f"rejoinder-{datetime.now(UTC):%Y%m%d-%H%M%S}.backup"
        try:
            backups.backup(target)
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Wrote {target}\n")
