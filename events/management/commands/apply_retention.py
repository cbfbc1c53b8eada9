from django.core.management.base import BaseCommand

from events import services


class Command(BaseCommand):
    help = "Anonymise guests' registrations EYOS_RETENTION_DAYS after their event (run daily from cron)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="override EYOS_RETENTION_DAYS")

    def handle(self, *args, days=None, **options):
        count = services.registrations_retention(days=days)
        self.stdout.write(f"{count} registration(s) anonymised.")
