"""Search across languages (issue 18): the list's q finds events by topic names and country names
in every language and by organisers' translated titles; the list's queries stay constant."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.search import index

from contenttranslation import services
from contenttranslation.search import matching_countries
from events.models import Event, Topic
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def malta(db):
    member = factories.user()
    org = factories.organisation("MT", members=[member], name="Malta Skills")
    Event.objects.filter(country="MT").update(status=Event.Status.DRAFT)
    tourism = Topic.objects.get(slug="tourism", locale__language_code="en")
    digital = Topic.objects.get(slug="digital-skills", locale__language_code="en")
    hotel = factories.published_event(org, title="Hotel careers day", language="en", days=5)
    hotel.topics.add(tourism)
    coding = factories.published_event(org, title="Coding for beginners", language="en", days=6)
    coding.topics.add(digital)
    for event in (hotel, coding):
        index.insert_or_update_object(event)
    return {"member": member, "hotel": hotel, "coding": coding}


def titles(response):
    assert response.status_code == 200
    return sorted(event.title for event in response.context["page"].object_list)


@pytest.mark.parametrize("q", ["Tourismus", "tourismus", "tourisme", "Τουρισμός", "turismo", "Matkailu", "Turasóireacht"])
def test_topic_names_in_any_language_find_the_events_of_that_topic(client, malta, q):
    assert titles(client.get("/en/events/", {"country": "MT", "q": q})) == ["Hotel careers day"]


@pytest.mark.parametrize("q", ["Malta", "Malte", "Μάλτα", "Málta", "malta"])
def test_country_names_in_any_language_find_the_events_of_that_country(client, malta, q):
    assert titles(client.get("/de/events/", {"q": q, "country": ["MT", "FR"]})) == [
        "Coding for beginners", "Hotel careers day"]


def test_frankreich_finds_french_events_and_not_others(client, malta):
    assert matching_countries("An Fhrainc") == matching_countries("Franza") == matching_countries("Prancuzija") == {"FR"}
    page = client.get("/en/events/", {"q": "Frankreich", "country": ["FR", "MT"]}).context["page"]
    assert page.paginator.count == len(page.object_list) > 0  # every match is on this page
    assert {event.country.code for event in page.object_list} == {"FR"}
    assert matching_countries("Frankreich") == {"FR"}
    assert matching_countries("land") == set()  # no suffix matches: Deutschland, Finnland …
    assert matching_countries("Deutschland") == {"DE"}


def test_short_or_unrelated_text_adds_nothing(client, malta):
    assert titles(client.get("/en/events/", {"country": "MT", "q": "zzzqqq"})) == []
    assert titles(client.get("/en/events/", {"country": "MT", "q": "to"})) == []  # too short for names


def test_organiser_translated_titles_are_found(client, malta):
    assert titles(client.get("/en/events/", {"country": "MT", "q": "Programmieren"})) == []
    services.event_translation_save(user=malta["member"], event=malta["coding"], language="de",
                                    title="Programmieren für Anfänger", summary="Ein Kurs.")
    assert titles(client.get("/en/events/", {"country": "MT", "q": "Programmieren"})) == ["Coding for beginners"]
    assert titles(client.get("/de/events/", {"country": "MT", "q": "Programmieren"})) == ["Programmieren für Anfänger"]


def test_feeds_search_across_languages_too(client, malta):
    body = client.get("/feeds/events.ics", {"country": "MT", "q": "Tourismus"}).content.decode()
    assert "Hotel careers day" in body and "Coding for beginners" not in body


def test_cross_language_search_costs_the_same_queries_for_few_and_many_events(client, malta):
    from django.core.cache import cache

    def count():
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/en/events/", {"country": "MT", "q": "Tourismus"}).status_code == 200
        return len(queries)

    count()
    small = count()
    tourism = Topic.objects.get(slug="tourism", locale__language_code="en")
    org = malta["hotel"].organisation
    for i in range(30):
        factories.published_event(org, title=f"Hotel day {i}", language="en", days=7 + i).topics.add(tourism)
    assert count() == small
