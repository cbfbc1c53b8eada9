"""Topics' names and default images (events.selectors.topic_choices, topic_images, topic_ids) do
not change when an event does: they are kept across event writes and registrations (every page
drawn after a change used to read them again), and replaced at once when a topic, an
organisation or the CMS (images) changes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from events import selectors
from events.cache import events_changed
from events.models import Topic

from .. import factories

pytestmark = pytest.mark.django_db


def queries_of(call):
    with CaptureQueriesContext(connection) as captured:
        result = call()
    return result, len(captured)


def test_topic_names_are_kept_across_event_writes_and_registrations():
    from events import services

    org = factories.organisation("FR")  # organisations are labels too: made before the first read
    with translation.override("en"):
        first, n = queries_of(selectors.topic_choices)
        assert n == 1
        ids, n = queries_of(selectors.topic_ids)
        assert n == 1
        event = factories.published_event(org, capacity=3)
        event.title = "Renamed event"
        event.save()
        event.topics.add(Topic.objects.filter(pk__in=ids.values()).first())
        services.registration_create(event=event, name="Ana", email="ana@example.org", consent=True, language="en")
        events_changed()  # and a write that sends no signal (a bulk import)
        assert queries_of(selectors.topic_choices) == (first, 0)
        assert queries_of(selectors.topic_ids) == (ids, 0)


def test_a_renamed_topic_shows_at_once():
    with translation.override("en"):
        selectors.topic_choices()
        topic = Topic.objects.filter(locale__language_code="en").order_by("pk").first()
        topic.name = "Quantum gardening"
        topic.save()
        choices, n = queries_of(selectors.topic_choices)
        assert n == 1 and (topic.slug, "Quantum gardening") in choices


def test_a_topic_image_edited_in_the_cms_shows_at_once():
    """The default image's description is the alt text of cards without an image of their own;
    images are CMS objects (the pages version), not topics."""
    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file

    topic = Topic.objects.filter(locale__language_code="en").order_by("pk").first()
    image = get_image_model().objects.create(title="Topic", file=get_test_image_file(), description="Before")
    topic.image = image
    topic.save()
    assert selectors.topic_images()[topic.pk] == (image.pk, "Before")
    image.description = "After"
    image.save()
    assert selectors.topic_images()[topic.pk] == (image.pk, "After")
