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


def test_topic_labels_come_from_the_topic_key_as_the_links_gave_them():
    """Cards and the event page name an event's topics from its topic_key (no query): the same
    names, in the same order (by the default language's names), as the links give, in the
    reader's language; a link added or removed shows at once."""
    from wagtail.models import Locale

    english = list(Topic.objects.filter(locale__language_code="en").order_by("-name")[:3])
    french_of_first = Topic.objects.filter(translation_key=english[0].translation_key,
                                           locale__language_code="fr").first()
    if french_of_first is None:
        french_of_first = Topic.objects.create(name="Ÿ en français", slug=english[0].slug + "-fr",
                                               locale=Locale.objects.get(language_code="fr"),
                                               translation_key=english[0].translation_key)
    event = factories.published_event(factories.organisation("FR"))
    event.topics.set(english)
    event.refresh_from_db()

    def from_links():
        names = dict(selectors.topic_choices())
        return [names.get(topic.slug, topic.name) for topic in event.topics.all()]

    for language in ("en", "fr"):
        with translation.override(language):
            expected = from_links()
            selectors.with_topic_labels([event])  # caches filled
            (labelled,), n = queries_of(lambda: selectors.with_topic_labels([event]))
            assert n == 0
            assert labelled.topic_labels == expected and len(expected) == 3
    with translation.override("fr"):
        assert french_of_first.name in event.topic_labels
    event.topics.remove(english[1])
    event.refresh_from_db()
    with translation.override("en"):
        (labelled,) = selectors.with_topic_labels([event])
        assert labelled.topic_labels == from_links() and english[1].name not in labelled.topic_labels
    event.topics.clear()
    event.refresh_from_db()
    assert selectors.with_topic_labels([event])[0].topic_labels == ()


def test_the_event_page_shows_its_topics_in_one_query(client):
    """The event page's data comes from one query (topics from the topic_key, confirmed places
    from a subquery)."""
    from django.test.utils import override_settings

    org = factories.organisation("FR")
    event = factories.published_event(org, capacity=5)
    topics = list(Topic.objects.filter(locale__language_code="en").order_by("name")[:2])
    event.topics.set(topics)
    from events import services

    services.registration_create(event=event, name="Ana", email="ana@example.org", consent=True, language="en")
    with override_settings(EYOS_PAGE_CACHE=False):
        client.get(f"/en/events/{event.uid}/")  # caches of topics and labels filled
        with CaptureQueriesContext(connection) as captured:
            body = client.get(f"/en/events/{event.uid}/").content.decode()
    assert ", ".join(topic.name for topic in topics) in body
    event_queries = [q for q in captured.captured_queries if '"events_event"' in q["sql"]]
    assert len(event_queries) == 1 and "events_topic" not in " ".join(q["sql"] for q in captured.captured_queries)
