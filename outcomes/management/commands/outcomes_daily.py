from django.core.management.base import BaseCommand

from outcomes import services


class Command(BaseCommand):
    help = "Ask organisers for their events' outcomes, send certificates, anonymise old walk-ins (daily)."

    def handle(self, *args, **options):
        self.stdout.write(str({
            "outcome_requests": services.outcome_requests_send(),
            "certificates": services.certificates_send(),
            "walk_ins_anonymised": services.walk_ins_retention(),
        }))
