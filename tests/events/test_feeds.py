"""iCal feeds, parsed back by icalendar and by vobject (an independent parser): structure,
stable UIDs, byte-identical bodies, SEQUENCE, cancellations, the personal feed, HTTP caching."""

from datetime import timedelta

import pytest
import vobject
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar

from events import services
from events.models import Event, Registration, Topic
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clear_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def events(db):
    org = factories.organisation("LU", name="Skills Lux")
    Event.objects.filter(country="LU").update(status=Event.Status.DRAFT)
    topic = Topic.objects.get(slug="digital-skills", locale__language_code="en")
    made = {
        "paris": factories.published_event(org, title="Atelier à l'heure de Paris", timezone="Europe/Paris",
                                           description="<p>Line one &amp; <b>bold</b></p><p>Line two</p>",
                                           latitude="49.611621", longitude="6.131935", capacity=1),
        "helsinki": factories.published_event(org, title="Helsinki time", timezone="Europe/Helsinki", days=20),
        "online": factories.published_event(org, title="Online", format="online",
                                            online_url="https://meet.example.org/x", timezone="Europe/Lisbon", days=30),
        "far_past": factories.published_event(org, title="Long ago", days=-60),
        "far_future": factories.published_event(org, title="Far away", days=700),
    }
    made["paris"].topics.add(topic)
    return made


def parse(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith("inline")
    calendar = Calendar.from_ical(response.content)
    assert calendar.get_missing_tzids() == set()
    for vevent in calendar.walk("VEVENT"):
        for name in ("UID", "DTSTAMP", "DTSTART", "SEQUENCE"):
            assert name in vevent, name
    # An independent parser reads the same events.
    parsed = vobject.readOne(response.content.decode())
    assert len(list(parsed.contents.get("vevent", []))) == len(calendar.walk("VEVENT"))
    return calendar


def summaries(calendar):
    return sorted(str(v["SUMMARY"]) for v in calendar.walk("VEVENT"))


def test_country_feed_has_the_window_and_the_calendar_properties(client, events):
    calendar = parse(client.get("/feeds/countries/lu.ics"))
    assert summaries(calendar) == sorted(["Atelier à l'heure de Paris", "Helsinki time", "Online"])
    for name in ("VERSION", "PRODID", "CALSCALE", "METHOD", "NAME", "X-WR-CALNAME", "X-WR-CALDESC",
                 "REFRESH-INTERVAL", "X-PUBLISHED-TTL"):
        assert name in calendar, name
    assert calendar["METHOD"] == "PUBLISH"
    assert "Luxembourg" in str(calendar["NAME"])
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in client.get("/feeds/countries/LU.ics").content


def test_event_content(client, events):
    calendar = parse(client.get(f"/feeds/events/{events['paris'].uid}.ics"))
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["UID"]) == f"{events['paris'].uid}@testserver"
    assert vevent["DTSTART"].params["TZID"] == "Europe/Paris"
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert "Line one & bold\n\nLine two" in str(vevent["DESCRIPTION"])  # plain text, entities decoded
    assert vevent["GEO"].latitude == pytest.approx(49.611621)
    assert str(vevent["URL"]).endswith(f"/events/{events['paris'].uid}/")
    assert vevent["CATEGORIES"].cats == ["Digital skills"]
    assert vevent["ORGANIZER"].params["CN"] == "Skills Lux"
    assert vevent["DTSTAMP"].dt == events["paris"].updated_at.replace(microsecond=0)
    assert b"\r\n" in client.get(f"/feeds/events/{events['paris'].uid}.ics").content


def test_uid_is_the_same_in_every_feed_and_in_emails(client, events, django_capture_on_commit_callbacks):
    from django.core import mail

    event = events["paris"]
    uids = set()
    for url in (f"/feeds/events/{event.uid}.ics", "/feeds/countries/lu.ics", "/feeds/events.ics?country=LU",
                "/feeds/events.ics?country=LU&lang=fr"):
        calendar = parse(client.get(url))
        uids |= {str(v["UID"]) for v in calendar.walk("VEVENT") if str(v["SUMMARY"]) == event.title}
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_confirm(registration=services.registration_create(
            event=event, name="A", email="a@example.org", consent=True, language="en"))
    attached = Calendar.from_ical(mail.outbox[-1].attachments[0][1])
    uids |= {str(v["UID"]) for v in attached.walk("VEVENT")}
    assert uids == {f"{event.uid}@testserver"}


def test_repeated_bodies_are_byte_identical(client, events):
    from django.core.cache import cache

    first = client.get("/feeds/events.ics?country=LU").content
    cache.clear()  # rendered again from scratch, not served from the cache
    assert client.get("/feeds/events.ics?country=LU").content == first


def test_an_edit_raises_sequence_and_changes_the_feed(client, events):
    event = events["paris"]
    before = parse(client.get("/feeds/countries/lu.ics"))
    old = next(v for v in before.walk("VEVENT") if str(v["SUMMARY"]) == event.title)
    services.event_update(user=factories.coordinator("LU"), event=event,
                          data={"start": event.start + timedelta(hours=1), "end": event.end + timedelta(hours=1)})
    after = parse(client.get("/feeds/countries/lu.ics"))
    new = next(v for v in after.walk("VEVENT") if str(v["SUMMARY"]) == event.title)
    assert new["SEQUENCE"] > old["SEQUENCE"]
    assert new["DTSTART"].dt - old["DTSTART"].dt == timedelta(hours=1)


def test_a_cancelled_event_stays_as_cancelled(client, events):
    event = events["helsinki"]
    services.event_cancel(user=factories.coordinator("LU"), event=event, message="Snow.")
    calendar = parse(client.get("/feeds/countries/lu.ics"))
    vevent = next(v for v in calendar.walk("VEVENT") if str(v["SUMMARY"]) == event.title)
    assert str(vevent["STATUS"]) == "CANCELLED" and vevent["SEQUENCE"] >= 1


def test_filters_and_their_errors(client, events):
    assert summaries(parse(client.get("/feeds/events.ics?country=LU&format=online"))) == ["Online"]
    assert summaries(parse(client.get("/feeds/events.ics?country=LU&topic=digital-skills"))) == [events["paris"].title]
    assert summaries(parse(client.get("/feeds/events.ics?country=LU&q=helsinki"))) == ["Helsinki time"]
    for bad in ("country=XX", "format=zeppelin", "from=soon", "topic=unknown", "lang=xx", "from=2030-01-02&to=2030-01-01"):
        response = client.get("/feeds/events.ics?" + bad)
        assert response.status_code == 400, bad
    assert client.get("/feeds/countries/xx.ics").status_code == 404
    assert client.get("/feeds/countries/france.ics").status_code == 404


def test_names_follow_the_requested_language(client, events):
    calendar = parse(client.get("/feeds/events.ics?country=LU&format=online&lang=fr"))
    name = str(calendar["X-WR-CALNAME"])
    assert "Luxembourg" in name and "En ligne" in name and name == str(calendar["NAME"])


def test_size_limit(client, events, settings):
    settings.EYOS_FEED_MAX_EVENTS = 2
    assert len(parse(client.get("/feeds/countries/lu.ics")).walk("VEVENT")) == 2


def test_conditional_get_answers_304_after_at_most_two_queries(client, events, django_assert_max_num_queries):
    first = client.get("/feeds/events.ics?country=LU&topic=digital-skills")
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert first["Cache-Control"].startswith("public, max-age=")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/feeds/events.ics?country=LU&topic=digital-skills", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304 and len(queries) <= 2
    assert client.get("/feeds/countries/lu.ics", HTTP_IF_MODIFIED_SINCE=client.get("/feeds/countries/lu.ics")["Last-Modified"]).status_code == 304
    # A change outside the feed keeps it; a change inside it gives a new body.
    services.event_update(user=factories.coordinator("LU"), event=events["online"], data={"title": "Changed"})
    assert client.get("/feeds/events.ics?country=LU&topic=digital-skills", HTTP_IF_NONE_MATCH=etag).status_code == 304
    services.event_update(user=factories.coordinator("LU"), event=events["paris"], data={"title": "Changed"})
    assert client.get("/feeds/events.ics?country=LU&topic=digital-skills", HTTP_IF_NONE_MATCH=etag).status_code == 200
    assert last_modified


def test_head_and_any_client(client, events):
    head = client.head("/feeds/countries/lu.ics")
    assert head.status_code == 200 and head.content == b"" and head["ETag"]
    google = client.get("/feeds/countries/lu.ics", HTTP_USER_AGENT="Google-Calendar-Importer", HTTP_ACCEPT="")
    parse(google)
    assert client.post("/feeds/countries/lu.ics").status_code == 405


def test_personal_feed_with_waiting_list_places_tentative(client, events, users):
    event = events["paris"]  # capacity 1
    first, second = factories.user(), users["citizen"]
    services.registration_create(event=event, name="F", email="", consent=True, language="en", user=first)
    services.registration_create(event=event, name="S", email="", consent=True, language="en", user=second)
    services.registration_create(event=events["online"], name="S", email="", consent=True, language="en", user=second)
    token = services.personal_feed_token(user=second)
    calendar = parse(client.get(f"/feeds/me/{token}.ics"))
    status = {str(v["SUMMARY"]): str(v["STATUS"]) for v in calendar.walk("VEVENT")}
    assert status == {event.title: "TENTATIVE", "Online": "CONFIRMED"}
    response = client.get(f"/feeds/me/{token}.ics")
    assert response["Cache-Control"].startswith("private")
    assert client.get("/feeds/me/not-a-token.ics").status_code == 404
    services.personal_feed_renew(user=second)
    assert client.get(f"/feeds/me/{token}.ics").status_code == 404


def test_pages_link_their_feeds(client, events):
    html = client.get("/en/events/?country=LU").content.decode()
    assert '<link rel="alternate" type="text/calendar"' in html and "/feeds/events.ics?country=LU" in html
    detail = client.get(f"/en/events/{events['paris'].uid}/").content.decode()
    assert f'type="text/calendar" title="This event in your calendar" href="/feeds/events/{events["paris"].uid}.ics"' in detail


def test_subscribe_page_builds_every_kind_of_link(client, events):
    html = client.get("/de/events/subscribe/?country=LU&format=online").content.decode()
    assert "webcal://testserver/feeds/events.ics?country=LU&amp;format=online&amp;lang=de" in html
    assert "calendar.google.com/calendar/render?cid=webcal" in html
    assert "outlook.live.com/calendar/0/addfromweb?url=http" in html
    assert client.get("/en/events/subscribe/?country=XX").status_code == 400


def test_feeds_are_rendered_from_cached_events(client, events, monkeypatch):
    from events import feeds

    client.get("/feeds/countries/lu.ics")
    from django.core.cache import cache

    for key in [k for k in cache._cache if "eyos:feed:" in k]:  # locmem: drop whole bodies only
        del cache._cache[key]
    calls = []
    original = feeds.serialise_vevent
    monkeypatch.setattr(feeds, "serialise_vevent", lambda *a, **k: calls.append(1) or original(*a, **k))
    services.event_update(user=factories.coordinator("LU"), event=events["online"], data={"title": "Renamed"})
    client.get("/feeds/countries/lu.ics")
    assert len(calls) == 1  # only the changed event was rendered again


@pytest.mark.parametrize("title", ["Plain", "Semi;colon, comma \\ backslash", "Ünïcödé – " + "долгое название " * 8])
def test_fast_serialiser_matches_icalendar(events, title):
    """The direct writer and icalendar's component give the same VEVENT, property by property."""
    from icalendar import Event as VEvent

    from events import feeds

    event = Event.objects.select_related("organisation").get(pk=events["paris"].pk)
    event.title = title
    event.summary = "Line\nbreak; and, commas"
    fast = VEvent.from_ical(feeds.serialise_vevent(event))
    reference = VEvent.from_ical(feeds.build_vevent(event).to_ical())
    assert sorted(fast.keys()) == sorted(reference.keys())
    for name in reference:
        assert fast.decoded(name) == reference.decoded(name), name
    assert fast["ORGANIZER"].params["CN"] == reference["ORGANIZER"].params["CN"]
    for line in feeds.serialise_vevent(event).split(b"\r\n"):
        assert len(line) <= 75


def test_a_renamed_topic_shows_at_once_in_cached_feeds(client, events):
    """A topic's name is part of each VEVENT (CATEGORIES) but renaming it does not touch the event:
    the cached VEVENT must still give way."""
    def categories(path):
        (paris,) = [v for v in parse(client.get(path)).walk("VEVENT") if "Paris" in str(v["SUMMARY"])]
        return [str(category) for category in paris["CATEGORIES"].cats]

    from wagtail.models import Locale

    topic = Topic.objects.get(slug="digital-skills", locale__language_code="en")
    french = Topic.objects.filter(translation_key=topic.translation_key, locale__language_code="fr").first()
    if french is None:
        french = Topic.objects.create(name="Compétences numériques", slug="digital-skills",
                                      locale=Locale.objects.get(language_code="fr"),
                                      translation_key=topic.translation_key)
    assert categories("/feeds/countries/lu.ics") == ["Digital skills"]
    assert categories("/feeds/countries/lu.ics?lang=fr") == [french.name]
    etag = client.get("/feeds/countries/lu.ics")["ETag"]
    assert client.get("/feeds/countries/lu.ics", HTTP_IF_NONE_MATCH=etag).status_code == 304
    topic.name = "Digital competences"
    topic.save()
    french.name = "Compétences du numérique"
    french.save()
    # A calendar client holding the old copy gets the new one, not "304 Not Modified".
    assert client.get("/feeds/countries/lu.ics", HTTP_IF_NONE_MATCH=etag).status_code == 200
    assert categories("/feeds/countries/lu.ics") == ["Digital competences"]
    assert categories("/feeds/countries/lu.ics?lang=fr") == ["Compétences du numérique"]
    # The same for the organiser's name.
    organisation = events["paris"].organisation
    organisation.name = "Skills Luxembourg"
    organisation.save()
    (paris,) = [v for v in parse(client.get("/feeds/countries/lu.ics")).walk("VEVENT") if "Paris" in str(v["SUMMARY"])]
    assert paris["ORGANIZER"].params["CN"] == "Skills Luxembourg"


def test_a_feed_is_answered_304_after_the_cache_lost_everything(client, events):
    """The labels stamp is kept in the database: a cache that loses it (eviction, restart) reads
    the same moment again, so the ETag holds and a calendar client gets its 304. (Taken from the
    clock on a miss, as before, the ETag changed with every miss and no client ever got a 304.)"""
    from django.core.cache import cache

    from events.cache import LABELS_KEY, labels_changed_at

    topic = Topic.objects.get(slug="digital-skills", locale__language_code="en")
    topic.name = "Digital competences"
    topic.save()  # a rename: the stamp moves, in the database
    stamp = labels_changed_at()
    etag = client.get("/feeds/countries/lu.ics")["ETag"]
    for lose in (lambda: cache.delete(LABELS_KEY), cache.clear):
        lose()
        assert labels_changed_at() == stamp
        assert client.get("/feeds/countries/lu.ics", HTTP_IF_NONE_MATCH=etag).status_code == 304
    topic.name = "Digital skills"
    topic.save()
    assert labels_changed_at() > stamp
    assert client.get("/feeds/countries/lu.ics", HTTP_IF_NONE_MATCH=etag).status_code == 200
