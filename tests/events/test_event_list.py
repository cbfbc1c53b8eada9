"""The public event list and event page: filters that combine, counts per option, search,
languages, empty states, extreme dates, cards that name the time zone, places left, structured data,
and query budgets that do not grow with events."""

import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events import services
from events.models import Event, Topic
from tests import factories
from tests.factories import next_year
from tests.pages import page

pytestmark = pytest.mark.django_db


@pytest.fixture
def island(db):
    """Events in one country (Malta) that the demo data leaves alone, to count exactly."""
    org = factories.organisation("MT", name="Malta Skills")
    Event.objects.filter(country="MT").update(status=Event.Status.DRAFT)
    digital = Topic.objects.get(slug="digital-skills", locale__language_code="en")
    green = Topic.objects.get(slug="green-skills", locale__language_code="en")
    events = {
        "online_digital": factories.published_event(org, format="online", online_url="https://meet.example.org/a",
                                                    title="Coding for beginners", language="mt", days=5),
        "onsite_green": factories.published_event(org, title="Solar panel installation", language="en", days=8),
        "hybrid_green": factories.published_event(org, format="hybrid", online_url="https://meet.example.org/b",
                                                  title="Green jobs fair", language="en", days=40),
        "past": factories.published_event(org, title="Old fair", days=-30),
        "draft": factories.event(org, title="Secret draft"),
    }
    events["online_digital"].topics.add(digital)
    events["onsite_green"].topics.add(green)
    events["hybrid_green"].topics.add(green, digital)
    from wagtail.search import index

    for event in events.values():
        index.insert_or_update_object(event)
    return events


def titles(response):
    return [event.title for event in response.context["page"].object_list]


def test_filters_combine_and_only_published_upcoming_events_show(client, island):
    assert titles(client.get("/en/events/?country=MT")) == ["Coding for beginners", "Solar panel installation", "Green jobs fair"]
    assert titles(client.get("/en/events/?country=MT&topic=green-skills")) == ["Solar panel installation", "Green jobs fair"]
    assert titles(client.get("/en/events/?country=MT&topic=green-skills&format=hybrid")) == ["Green jobs fair"]
    assert titles(client.get("/en/events/?country=MT&language=mt")) == ["Coding for beginners"]
    soon = (timezone.now() + timedelta(days=10)).date().isoformat()
    assert titles(client.get(f"/en/events/?country=MT&to={soon}")) == ["Coding for beginners", "Solar panel installation"]
    assert titles(client.get("/en/events/?country=MT&past=1")) == ["Old fair"]


def test_free_text_search(client, island):
    assert titles(client.get("/en/events/?country=MT&q=solar")) == ["Solar panel installation"]
    assert titles(client.get("/en/events/?q=secret+draft&country=MT")) == []


def test_each_option_shows_how_many_events_it_gives(client, island):
    facets = client.get("/en/events/?country=MT&topic=green-skills").context["facets"]
    formats = {value: count for value, _label, count, _selected in facets["format"]}
    assert formats == {"onsite": 1, "online": 0, "hybrid": 1}
    topics = {value: count for value, _label, count, _selected in facets["topic"]}
    assert topics["digital-skills"] == 2 and topics["green-skills"] == 2  # topic counts ignore the topic filter
    countries = {value: count for value, _label, count, _selected in facets["country"]}
    assert countries["MT"] == 2  # with the topic filter applied


def test_empty_state_and_shareable_urls(client, island):
    response = client.get("/en/events/?country=MT&format=online&topic=green-skills")
    assert titles(response) == []
    assert "No events match these filters." in response.content.decode()
    html = client.get("/en/events/?country=MT&topic=green-skills").content.decode()
    assert 'href="/feeds/events.ics?country=MT&amp;topic=green-skills&amp;lang=en"' in html


@pytest.mark.parametrize("query", ["country=XX", "format=underwater", "from=yesterday", "to=2026-13-45",
                                   "from=2027-05-01&to=2027-01-01", "language=tlh", "topic=nope", "q=" + "x" * 500])
def test_bad_filters_give_a_clear_400(client, query):
    response = client.get("/en/events/?" + query)
    assert response.status_code == 400
    assert "Some filters are not valid" in response.content.decode()


@pytest.mark.parametrize("url", ["/en/events/?to=9999-12-31", "/en/events/?from=0001-01-01",
                                 "/feeds/events.ics?to=9999-12-31", "/admin/coordinators/?older_than=100000000"])
def test_extreme_dates_are_errors_not_crashes(client, users, url):
    client.force_login(users["admin"])
    assert client.get(url).status_code in (200, 400)


def test_event_content_is_marked_with_its_language(client, island):
    html = client.get("/fr/events/?country=MT").content.decode()
    assert '<html lang="fr"' in html
    assert '<h3 lang="mt"><a href="/fr/events/' in html


def test_the_list_works_without_javascript(client, island):
    html = client.get("/en/events/").content.decode()
    assert '<form method="get" action="/en/events/"' in html and 'type="submit"' in html


def test_event_cards_show_the_time_zone(client):
    start = datetime(next_year(), 1, 22, 18, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
    factories.published_event(
        factories.organisation("FI"), start=start, end=start.replace(hour=20), timezone="Europe/Helsinki",
        format="online", city="", address="", online_url="https://meet.example.org/fi", title="Zonecheck webinar",
    )
    html = page(client.get("/en/events/", {"q": "Zonecheck"}))
    card = html[html.index("Zonecheck webinar"):]
    card = card[:card.index("</li>")]
    zone = start.tzname()  # EET
    assert f"22 January {start.year}, 18:00" in card
    assert f'<abbr class="event-zone" title="Europe/Helsinki">{zone}</abbr>' in card


def test_places_left_is_right_with_several_topics_selected(client):
    event = factories.published_event(factories.organisation("EE"), capacity=4, title="Two topics")
    event.topics.add(*Topic.objects.filter(slug__in=["digital-skills", "green-skills"], locale__language_code="en"))
    for n in range(2):
        services.registration_confirm(registration=services.registration_create(
            event=event, name="P", email=f"p{n}@example.org", consent=True, language="en"))
    response = client.get("/en/events/?country=EE&topic=digital-skills&topic=green-skills")
    (shown,) = [e for e in response.context["page"].object_list if e.pk == event.pk]
    assert shown.places_left == 2


def test_list_queries_do_not_grow_with_events(client, db):
    org = factories.organisation("MT")
    topic = Topic.objects.get(slug="digital-skills", locale__language_code="en")
    url = (f"/en/events/?country=MT&topic=digital-skills&format=online&language=en&q=webinar"
           f"&from={timezone.now().date().isoformat()}&to={(timezone.now() + timedelta(days=400)).date().isoformat()}")

    def add(n):
        for _ in range(n):
            event = factories.published_event(org, capacity=10, format="online", online_url="https://m.example.org/",
                                              title="Webinar about skills", language="en")
            event.topics.add(topic)
            from wagtail.search import index

            index.insert_or_update_object(event)

    add(1)
    client.get(url)  # what is cached until topics change (their names, by id) read once
    add(9)
    with CaptureQueriesContext(connection) as ten:
        response = client.get(url)
    assert response.context["page"].paginator.count >= 10
    add(190)
    with CaptureQueriesContext(connection) as two_hundred:
        response = client.get(url)
    assert response.context["page"].paginator.count >= 200
    assert len(two_hundred) == len(ten), [q["sql"][:120] for q in two_hundred.captured_queries]


def test_detail_page_has_a_fixed_query_count(client, django_assert_num_queries, island):
    event = island["hybrid_green"]
    from django.core.cache import cache

    url = f"/en/events/{event.uid}/"
    client.get(url)
    cache.clear()  # both measurements start from an empty cache
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    for n in range(5):
        from events import services

        services.registration_create(event=event, name=f"P{n}", email=f"p{n}@example.org", consent=True, language="en")
    event.topics.add(*Topic.objects.filter(locale__language_code="en")[:5])
    cache.clear()
    with django_assert_num_queries(len(first)):
        client.get(url)


def test_detail_page_has_everything_a_person_needs(client, island):
    event = island["hybrid_green"]
    event.capacity = 30
    event.step_free_access = True
    event.accessibility_notes = "Lift at the back entrance"
    event.save()
    html = client.get(f"/en/events/{event.uid}/").content.decode()
    for needle in ("Green jobs fair", "Malta Skills", "Step-free access", "Lift at the back entrance",
                   "Places left", "30 / 30", "calendar.google.com", "outlook.live.com",
                   f'href="/feeds/events/{event.uid}.ics"', 'type="text/calendar"', 'property="og:title"',
                   'data-event-zone="Europe/Paris"'):
        assert needle in html, needle
    data = json.loads(html.split('<script type="application/ld+json">')[1].split("</script>")[0])
    assert data["@type"] == "Event" and data["name"] == "Green jobs fair"
    assert data["eventAttendanceMode"].endswith("MixedEventAttendanceMode")
    assert data["startDate"].startswith(event.start.astimezone(event.tzinfo).isoformat()[:16])


def test_unpublished_events_are_not_found(client, island):
    assert client.get(f"/en/events/{island['draft'].uid}/").status_code == 404


def test_campaign_block_shows_real_events_by_country_and_topic(client, db):
    from campaigns.blocks import UpcomingEventsBlock
    from campaigns.models import NationalPage

    home = client.get("/en/").content.decode()
    soonest = Event.objects.filter(status="published", end__gte=timezone.now()).order_by("start", "pk").first()
    assert soonest.title in home  # the home page's block, with no country set

    block = UpcomingEventsBlock()
    national = NationalPage.objects.get(country="FR", locale__language_code="en")
    value = block.to_python({"heading": "Next", "country": "", "topic": "", "limit": 12})
    html = block.render(value, context={"page": national})
    french = Event.objects.filter(status="published", country="FR", end__gte=timezone.now())
    german = Event.objects.filter(status="published", country="DE", end__gte=timezone.now())
    assert all(event.title in html for event in french.order_by("start")[:3])
    assert not any(event.title in html for event in german if not french.filter(title=event.title).exists())
    assert "/en/events/?country=FR" in html

    topical = block.to_python({"heading": "Next", "country": "DE", "topic": "green-skills", "limit": 12})
    html = block.render(topical, context={"page": national})
    expected = german.filter(topics__slug="green-skills").distinct()
    assert expected.exists()
    assert all(event.title in html for event in expected.order_by("start")[:3])
    assert "country=DE&amp;topic=green-skills" in html


def test_the_list_may_be_cached_for_visitors_but_not_for_signed_in_people(client, users):
    response = client.get("/en/events/")
    assert "public" in response["Cache-Control"] and "max-age=60" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]  # the language is in the URL itself
    client.force_login(users["citizen"])
    assert "public" not in client.get("/en/events/").get("Cache-Control", "")


@pytest.mark.parametrize("q", ['job"', '"', 'a"b', "ab'\"", '“quoted”', "NEAR(a b)", "x*", "^x", "a:b", "(", "NOT", "-"])
def test_search_engine_syntax_in_the_query_is_harmless(client, q):
    """An unmatched quote made SQLite's full-text MATCH fail with a 500 (found by a tester)."""
    assert client.get("/en/events/", {"q": q}).status_code == 200
    assert client.get("/feeds/events.ics", {"q": q}).status_code == 200


def test_search_terms_keep_words_in_any_script():
    from events.selectors import search_terms

    assert search_terms('  "Compétences"  numériques* ') == "Compétences numériques"
    assert search_terms("Ψηφιακές δεξιότητες d'été - x") == "Ψηφιακές δεξιότητες d'été - x"
    assert search_terms('"""') == ""


@pytest.mark.parametrize("query", [
    "", "country=MT", "country=MT&country=FR", "format=hybrid", "language=en", "country=MT&format=online",
    "country=MT&language=mt&format=online", "topic=green-skills&format=onsite", "country=DE&language=de&past=1",
    "q=fair", "country=MT&topic=digital-skills&language=en", "topic=green-skills&topic=digital-skills",
    "topic=green-skills&topic=digital-skills&format=hybrid",
])
def test_facets_from_one_grouped_query_equal_counting_each_facet_on_its_own(island, query):
    """Country, format, language and topic are counted in one grouped query (events.selectors
    _facet_cells and _facets_from_cells, on Event.topic_key); here each facet is counted the plain way, through the
    topic links, with its own filter left out."""
    from django.http import QueryDict

    from events import selectors
    from events.filters import EventFilterForm

    form = EventFilterForm(QueryDict(query), topic_choices=selectors.topic_choices())
    assert form.is_valid(), form.errors
    filters = form.filters()
    now = timezone.now()
    facets = selectors.event_search(filters, now=now).facets
    matching = selectors._search_matches(filters)

    def naive(exclude, field):
        events = selectors.filtered_events(filters, exclude=exclude, now=now)
        if matching is not None:
            events = events.filter(pk__in=matching)
        counts = {}
        for value in events.values_list(field, flat=True):
            if value is not None:  # an event without topics
                counts[str(value)] = counts.get(str(value), 0) + 1
        return counts

    assert facets["country"] == naive(("country",), "country")
    assert facets["format"] == naive(("format",), "format")
    assert facets["language"] == naive(("language",), "language")
    assert facets["total"] == sum(naive((), "pk").values())
    assert facets["topic"] == naive(("topic",), "topics__slug")


def soonest_first_reference(events, now):
    return list(events.filter(end__gte=now).order_by("start", "pk"))


def test_the_upcoming_list_is_the_events_under_way_then_those_to_come_sliced_like_one_query():
    """selectors.SoonestFirst (the list's default order, the embed) gives every slice exactly as
    one query ordered by start over the events that have not ended would (PostgreSQL: the under
    way part through the GiST index), including slices across the boundary between events under
    way and events to come, shared start times and an event starting or ending at `now`."""
    from events import selectors

    org = factories.organisation("LU")
    now = timezone.now().replace(microsecond=0)
    starts = ([now - timedelta(days=d) for d in (40, 3, 3, 1)] + [now] + [now + timedelta(hours=h) for h in range(1, 30)]
              + [now + timedelta(hours=5)] * 3)
    for i, start in enumerate(starts):
        end = now if i == 2 else start + timedelta(days=45 if i == 0 else 4 if start < now else 1)
        factories.published_event(org, title=f"E{i}", start=start, end=end)
    for d in (50, 20, 2):  # ended: never shown
        factories.published_event(org, start=now - timedelta(days=d), end=now - timedelta(days=d - 1))
    events = Event.objects.filter(status=Event.Status.PUBLISHED, organisation=org, end__gte=now)
    expected = soonest_first_reference(events, now)
    assert len(expected) == len(starts) and sum(event.start <= now for event in expected) == 5
    listed = selectors.SoonestFirst(events, now)
    for start, stop in [(0, 20), (20, 40), (0, 3), (0, 5), (0, 6), (3, 7), (4, 5), (5, 9), (6, 30), (30, 60), (40, 60), (2, 2)]:
        assert [e.pk for e in listed[start:stop]] == [e.pk for e in expected[start:stop]], (start, stop)
    with pytest.raises(TypeError):
        listed[3]


def test_the_list_pages_follow_on_across_events_under_way_and_events_to_come(client):
    org = factories.organisation("LU")
    now = timezone.now()
    for i in range(25):
        factories.published_event(org, title=f"Under way {i:02}", start=now - timedelta(hours=30 - i),
                                  end=now + timedelta(days=2))
    for i in range(30):
        factories.published_event(org, title=f"To come {i:02}", start=now + timedelta(hours=i + 1),
                                  end=now + timedelta(hours=i + 3))
    titles = []
    for number in (1, 2, 3):
        body = client.get(f"/en/events/?country=LU&page={number}").content.decode()
        titles += re.findall(r">((?:Under way|To come) \d\d)</a>", body)
    assert titles == [f"Under way {i:02}" for i in range(25)] + [f"To come {i:02}" for i in range(30)]
