from django.core.management.base import BaseCommand

from rejoinder.discussion.spam import retrain


class Command(BaseCommand):
    help = (
        "Rebuild the spam classifier from the shipped corpus and every comment moderators "
        "approved or marked spam. Run it after upgrading to a version whose classifier reads "
        "comments differently; decisions taken while it runs may be lost."
    )

    def handle(self, *args, **options):
        examples, comments = retrain()
        self.stdout.write(
            f"Retrained the spam classifier on {examples} corpus example(s) and "
            f"{comments} decided comment(s).\n"
        )
