from django.conf import settings
from django.core.management.base import BaseCommand

from rejoinder.discussion.comments import anonymize_old_ips


class Command(BaseCommand):
    help = (
        "Forget commenters' IP addresses older than REJOINDER_COMMENT_IP_RETENTION_DAYS. "
        "Run it daily (cron or a systemd timer)."
    )

    def handle(self, *args, **options):
        count = anonymize_old_ips()
        days = settings.COMMENT_IP_RETENTION_DAYS
        self.stdout.write(f"Forgot the IP address of {count} comment(s) older than {days} days.\n")
