"""Query discipline: every public page and feed makes the same number of queries with 10 events
as with 1,000 (seeded in bulk, in a country of their own)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.search import index

from events.models import Event, Registration, Topic, link_topics
from tests import factories

pytestmark = pytest.mark.django_db
COUNTRY = "ME"


def add_events(org, topic, n, offset):
    now = timezone.now().replace(microsecond=0)
    events = Event.objects.bulk_create([
        Event(title=f"Webinar {offset + i} on skills", slug=f"qd-{offset + i}", summary="Skills webinar",
              country=COUNTRY, organisation=org, start=now + timedelta(days=1 + i % 300, hours=i % 5),
              end=now + timedelta(days=1 + i % 300, hours=2 + i % 5), timezone="Europe/Podgorica",
              format="online", online_url="https://m.example.org/", language="en", status=Event.Status.PUBLISHED,
              capacity=20)
        for i in range(n)
    ])
    link_topics((e.pk, topic.pk) for e in events)
    Registration.objects.bulk_create([
        Registration(event=e, name="R", email=f"r{e.pk}@example.org", consent_at=now, status="confirmed")
        for e in events
    ])
    for event in events:
        index.insert_or_update_object(event)
    return events


PATHS = [
    "/en/events/?country=ME",
    "/en/events/?country=ME&topic=digital-skills&format=online&language=en&q=webinar",
    "/en/events/?country=ME&page=2",
    "/feeds/countries/me.ics",
    "/feeds/events.ics?country=ME&topic=digital-skills",
    "/feeds/events.ics?country=ME&q=webinar",
    "/en/events/subscribe/?country=ME",
]


def measure(client, path):
    from django.core.cache import cache

    cache.clear()  # every page computed afresh, not served from the cache
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


def test_same_queries_for_10_and_1000_events(client):
    Event.objects.filter(country=COUNTRY).update(status=Event.Status.DRAFT)
    org = factories.organisation(COUNTRY)
    topic = Topic.objects.get(slug="digital-skills", locale__language_code="en")
    first = add_events(org, topic, 10, 0)
    detail = f"/en/events/{first[0].uid}/"
    ics = f"/feeds/events/{first[0].uid}.ics"
    for path in PATHS + [detail, ics]:
        measure(client, path)  # warm per-process caches (content types, sites, locales)
    small = {path: measure(client, path) for path in PATHS + [detail, ics]}
    add_events(org, topic, 990, 10)
    large = {path: measure(client, path) for path in PATHS + [detail, ics]}
    assert large == small
    assert client.get("/en/events/?country=ME").context["page"].paginator.count == 1000
