from django.core.management.base import BaseCommand

from partnerfeeds.models import PartnerFeed
from partnerfeeds.services import feed_fetch


class Command(BaseCommand):
    help = "Reads every active partner feed now, one after the other (for cron, or to try a feed)."

    def add_arguments(self, parser):
        parser.add_argument("--feed", type=int, action="append", help="Only this feed (its id); repeatable.")

    def handle(self, *args, feed=None, **options):
        feeds = PartnerFeed.objects.filter(active=True).order_by("pk")
        if feed:
            feeds = feeds.filter(pk__in=feed)
        for feed_id, name in feeds.values_list("pk", "name"):
            self.stdout.write(f"{name}: ", ending="")
            self.stdout.flush()
            result = feed_fetch(feed_id=feed_id)
            counts = {k: v for k, v in (result.last_counts or {}).items() if k != "problems"}
            self.stdout.write(f"{result.get_last_outcome_display()} {result.last_error} {counts}".strip())
