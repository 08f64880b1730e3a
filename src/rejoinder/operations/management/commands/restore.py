from django.core.management.base import BaseCommand, CommandError

from rejoinder.operations import backups


class Command(BaseCommand):
    help = "Restore a backup made by `rejoinder backup` into an empty site (stop the server)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup file.")
        parser.add_argument(
            "--force", action="store_true", help="Replace a site that already has content."
        )

    def handle(self, *args, file, force, **options):
        try:
            backups.restore(file, force=force)
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Restored {file}\n")
