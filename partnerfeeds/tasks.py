"""The hourly run that reads the partner feeds (partnerfeeds.services.feed_fetch): one task per
feed, so a slow or broken feed delays or breaks no other."""

from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from eyos.schedules import book_once

RUN_TASK = "partnerfeeds.tasks.fetch_partner_feeds"
EVERY = timedelta(hours=1)


@task()
def fetch_partner_feed(feed_id):
    from .services import feed_fetch

    feed = feed_fetch(feed_id=feed_id)
    return None if feed is None else feed.last_outcome


@task()
def fetch_partner_feeds():
    """Scheduled hourly (schedule_fetches, booked by every `migrate` and by each run for the next;
    or cron with `manage.py fetch_partner_feeds`): one fetch task per active feed."""
    schedule_fetches(soon=False)  # first: a failing run must not end the schedule
    return enqueue_all()


def enqueue_all():
    from .models import PartnerFeed

    ids = list(PartnerFeed.objects.filter(active=True).values_list("pk", flat=True))
    for feed_id in ids:
        fetch_partner_feed.enqueue(feed_id)
    return len(ids)


def schedule_fetches(*, now=None, soon=True):
    """One waiting hourly run at most, whoever calls (eyos.schedules)."""
    now = now or timezone.now()
    return book_once(fetch_partner_feeds, now + (timedelta(minutes=1) if soon else EVERY))
