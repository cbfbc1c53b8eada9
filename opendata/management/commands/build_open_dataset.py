from django.core.management.base import BaseCommand

from opendata.dataset import write_dataset


class Command(BaseCommand):
    help = "Regenerate the open dataset (JSON-LD and CSV of every public event) now."

    def handle(self, *args, **options):
        for kind, name in write_dataset().items():
            self.stdout.write(f"{kind}: {name}")
