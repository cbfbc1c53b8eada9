"""New events and organisations get a slug no other row has, in one query however many namesakes
there are."""

import pytest

from events.models import Event
from events.services.slugs import unique_slug

from .. import factories

pytestmark = pytest.mark.django_db


def test_namesakes_get_the_next_free_number(django_assert_num_queries):
    org = factories.organisation("FR")
    for slug in ("coding-workshop", "coding-workshop-2", "coding-workshop-4", "coding-workshops"):
        Event.objects.filter(pk=factories.event(org).pk).update(slug=slug)
    with django_assert_num_queries(1):
        assert unique_slug(Event.objects.all(), "Coding workshop", fallback="event") == "coding-workshop-3"
    assert unique_slug(Event.objects.all(), "Robotics", fallback="event") == "robotics"


def test_a_title_with_no_letters_left_and_a_very_long_one():
    assert unique_slug(Event.objects.all(), "!!!", fallback="event") == "event"
    slug = unique_slug(Event.objects.all(), "word " * 100, fallback="event")
    assert len(slug) <= 200 and not slug.endswith("-")
    assert unique_slug(Event.objects.all(), "Ćwiczenia z robotyki", fallback="event", allow_unicode=True) == (
        "ćwiczenia-z-robotyki")


def test_the_services_use_it(users):
    from datetime import timedelta

    from django.utils import timezone

    from events import services

    org = factories.organisation("FR")
    coordinator = factories.coordinator("FR")
    start = timezone.now().replace(microsecond=0) + timedelta(days=5)
    data = {"title": "Coding workshop", "summary": "A workshop.", "start": start, "end": start + timedelta(hours=2),
            "timezone": "Europe/Paris", "city": "Lyon", "address": "1 rue de la République"}
    first = services.event_create(user=coordinator, organisation=org, data=dict(data))
    second = services.event_create(user=coordinator, organisation=org, data=dict(data))
    assert (first.slug, second.slug) == ("coding-workshop", "coding-workshop-2")
    one = services.organisation_create(user=users["admin"], name="Code Club", country="FR")
    two = services.organisation_create(user=users["admin"], name="Code Club", country="DE")
    assert (one.slug, two.slug) == ("code-club", "code-club-2")
