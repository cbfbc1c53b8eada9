from django.core.management.base import BaseCommand

from events import services


class Command(BaseCommand):
    help = "Send the registration reminders that are due (run it from cron every few minutes)."

    def handle(self, *args, **options):
        sent = services.reminders_send()
        self.stdout.write(f"{sent} reminder(s) queued.")
