"""The shared page cache (events/pagecache.py): anonymous visitors' list, event and home pages
and the feeds' 304s come from the cache, and

- a change to an event, a registration, a topic, an organisation or a CMS page shows at once;
- nothing personal is ever shared: signed-in visitors, visitors with a session or messages, and
  CSRF tokens (each visitor gets their own, never one from the cache);
- a hit costs no query (the home page: only Wagtail's routing);
- without a cache (no data version) nothing is cached and pages come from the database.

The test settings use a local-memory cache; events/quickread.py (Redis client-side caching) has
tests of its own against the real Redis at the end, skipped when Redis is not running."""

import re
import socket

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.test import Client

from events import pagecache, services
from events.models import Event, Topic
from tests import factories

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@pytest.fixture
def org(db):
    return factories.organisation("FR", name="Compétences Nantes")


@pytest.fixture
def event(org):
    return factories.published_event(org, capacity=5, title="Atelier numérique")


def page_url(event, language="en"):
    return f"/{language}/events/{event.uid}/"


def cached_parts():
    import pickle

    return [pickle.loads(value) for key, value in cache._cache.items() if ":eyos:page:" in key]


def cached_entries():
    """Every page entry in the local-memory cache, unpickled."""
    import pickle

    store = cache._cache  # LocMemCache's dict
    return [pickle.loads(value) for key, value in store.items() if ":eyos:page:" in key]


# --- hits ------------------------------------------------------------------------------------

def test_list_and_event_page_hits_make_no_query(client, event, django_assert_num_queries):
    for url in ("/en/events/?country=FR", page_url(event)):
        first = client.get(url)
        assert first.status_code == 200
        with django_assert_num_queries(0):
            again = Client().get(url)
        assert again.status_code == 200
        assert TOKEN.sub("", again.content.decode()) == TOKEN.sub("", first.content.decode())


def test_wagtail_page_hits_make_no_query(client, django_assert_num_queries):
    """Home, section and national pages come whole from the cache before Wagtail's routing (site,
    page, translations, view restrictions); parameters they do not read share the copy."""
    for url in ("/en/", "/en/countries/", "/en/countries/fr/", "/fr/countries/de/"):
        first = client.get(url)
        assert first.status_code == 200, url
        with django_assert_num_queries(0):
            again = Client().get(url + "?utm_source=newsletter")
        assert again.status_code == 200
        assert again.content == first.content, url


def drawn_without_the_cache(url, settings):
    settings.EYOS_PAGE_CACHE = False
    try:
        return Client().get(url).content.decode()
    finally:
        settings.EYOS_PAGE_CACHE = True


@pytest.mark.parametrize("url", ["/en/", "/fr/", "/en/countries/fr/", "/de/countries/de/"])
def test_a_cached_campaign_page_with_its_events_drawn_in_is_the_page(url, settings):
    """Campaign pages are kept under the pages version with a marker for each "upcoming events"
    block, whose events are drawn into every response (events.pagecache.hole): the result is the
    page as drawn without the cache, in its language, and no marker is ever sent."""
    settings.EYOS_PAGE_CACHE = True
    first, again = Client().get(url).content.decode(), Client().get(url).content.decode()
    assert 'class="upcoming-events"' in first and "eyos-part-" not in first + again
    assert TOKEN.sub("", first) == TOKEN.sub("", again) == TOKEN.sub("", drawn_without_the_cache(url, settings))


def test_after_an_event_change_a_campaign_page_draws_only_its_events_again(
        client, org, settings, django_assert_num_queries, django_capture_on_commit_callbacks):
    """The first visitor after a change pays for the block (its events: those under way and
    those to come), not for Wagtail's site, page and translation look-ups and the page."""
    from django.utils import timezone

    settings.EYOS_PAGE_CACHE = True
    before = client.get("/en/countries/fr/").content.decode()
    soonest = factories.published_event(org, title="Workshop very soon", days=0,
                                        start=timezone.now() + timezone.timedelta(minutes=5))
    # The block's two parts: one UNION ALL statement on PostgreSQL (selectors.upcoming_events).
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 2):
        after = Client().get("/en/countries/fr/").content.decode()
    assert "Workshop very soon" in after and "Workshop very soon" not in before
    with django_capture_on_commit_callbacks(execute=True):
        soonest.title = "Renamed workshop"
        soonest.save()
    assert "Renamed workshop" in Client().get("/en/countries/fr/").content.decode()
    with django_assert_num_queries(0):  # and then the block's own copy
        assert "Renamed workshop" in Client().get("/en/countries/fr/").content.decode()


def test_a_registration_does_not_draw_a_campaign_pages_events_again(
        client, org, settings, django_assert_num_queries, django_capture_on_commit_callbacks):
    """The "upcoming events" block shows no place counts: its copies are kept under the events
    version, so a registration (for one of its events, even) leaves the whole page cached; the
    block's own events still show a change at once (the test above)."""
    from django.utils import timezone

    settings.EYOS_PAGE_CACHE = True
    soonest = factories.published_event(org, title="Workshop very soon", capacity=5, days=0,
                                        start=timezone.now() + timezone.timedelta(minutes=5))
    first = client.get("/en/countries/fr/").content.decode()
    assert "Workshop very soon" in first and "place" not in re.sub(r"<[^>]+>", "", first.split("upcoming-events")[1])
    with django_capture_on_commit_callbacks(execute=True):
        register(soonest)
    with django_assert_num_queries(0):
        assert TOKEN.sub("", Client().get("/en/countries/fr/").content.decode()) == TOKEN.sub("", first)


def test_a_part_kept_under_the_data_version_is_drawn_again_after_a_registration(
        client, settings, monkeypatch, django_capture_on_commit_callbacks):
    """Negative control for the test above: a kind of part not marked events_only (one that would
    show place counts) is drawn again after a registration."""
    from campaigns import blocks

    settings.EYOS_PAGE_CACHE = True
    drawn = []

    def draw(spec):
        drawn.append(spec)
        return blocks.render_upcoming_events(spec)

    other = factories.published_event(factories.organisation("FR"), capacity=5, title="Other")
    monkeypatch.setattr(pagecache, "_EVENTS_ONLY_HOLES", set())
    monkeypatch.setitem(pagecache._DRAW_HOLE, "upcoming_events", draw)
    client.get("/en/countries/fr/")
    assert len(drawn) == 1
    client.get("/en/countries/fr/")
    assert len(drawn) == 1
    with django_capture_on_commit_callbacks(execute=True):
        register(other)
    client.get("/en/countries/fr/")
    assert len(drawn) == 2


def test_a_part_is_drawn_in_the_language_of_the_page(settings):
    """A block's copy is per language: Maltese has no page tree of its own and shows the English
    home page (the same block, heading and all) with Maltese around it, never the English block."""
    settings.EYOS_PAGE_CACHE = True
    english = Client().get("/en/").content.decode()
    maltese = Client().get("/mt/").content.decode()
    assert "<h2>Upcoming events</h2>" in english and "<h2>Upcoming events</h2>" in maltese
    assert "See all events" in english
    assert "See all events" not in maltese and "Ara l-avvenimenti kollha" in maltese


def test_a_copy_with_a_part_this_release_cannot_draw_is_drawn_again(settings, monkeypatch):
    """A copy made by another release may hold a kind of part this one does not know (a rolling
    deploy): the page is drawn again, never a server error."""
    settings.EYOS_PAGE_CACHE = True
    first = Client().get("/en/").content.decode()
    from events.cache import events_changed

    events_changed()  # the parts must be drawn again; the page's copy is still current
    monkeypatch.setattr(pagecache, "_DRAW_HOLE", {})
    with monkeypatch.context() as unknown:
        unknown.setattr(pagecache, "hole", lambda kind, spec: None)  # this release draws blocks inline
        again = Client().get("/en/")
    assert again.status_code == 200
    assert TOKEN.sub("", again.content.decode()) == TOKEN.sub("", first)


def test_a_national_pages_map_policy_comes_with_its_cached_copy(settings, django_assert_num_queries):
    settings.EYOS_MAP_TILES_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    first = Client().get("/en/countries/de/")
    assert "tiles.example.org" in first["Content-Security-Policy"]
    with django_assert_num_queries(0):
        again = Client().get("/en/countries/de/")
    assert again["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert "tiles.example.org" not in Client().get("/en/")["Content-Security-Policy"]


def test_a_restricted_page_is_never_shared(client):
    """A restriction added to a page already cached applies at once (it is a write to a page);
    the sign-in redirect and the password form are never stored."""
    from wagtail.models import Page, PageViewRestriction

    url = "/en/countries/fr/"
    assert Client().get(url).status_code == 200
    page = Page.objects.get(url_path__endswith="/countries/fr/", locale__language_code="en")
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    for _ in range(2):
        response = Client().get(url)
        assert response.status_code == 302 and "login/?next=/en/countries/fr/" in response["Location"]
    restriction.restriction_type, restriction.password = PageViewRestriction.PASSWORD, "s3cret-word"
    restriction.save()
    tokens = set()
    for _ in range(2):
        visitor = Client()
        response = visitor.get(url)
        assert response.status_code == 200 and b"s3cret-word" not in response.content
        tokens.add(TOKEN.search(response.content.decode()).group(1))
    assert len(tokens) == 2  # each visitor's own form: nothing was shared
    assert not [entry for entry in cached_entries() if b'name="password"' in entry["content"]]


def test_feed_304_makes_no_query(client, event, django_assert_num_queries):
    etag = client.get("/feeds/events.ics?country=FR")["ETag"]
    client.get("/feeds/events.ics?country=FR", HTTP_IF_NONE_MATCH=etag)  # the shortcut's entry is kept
    with django_assert_num_queries(0):
        response = Client().get("/feeds/events.ics?country=FR", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response["ETag"] == etag and response["Cache-Control"] == "public, max-age=900"
    assert response.has_header("Last-Modified") and response.has_header("Content-Disposition")
    with django_assert_num_queries(0):
        assert Client().get("/feeds/events.ics?country=FR", HTTP_IF_NONE_MATCH=f'"x", {etag}').status_code == 304
        # If-None-Match compares weakly: the tag without its W/ matches too.
        strong = etag.removeprefix("W/")
        assert Client().get("/feeds/events.ics?country=FR", HTTP_IF_NONE_MATCH=strong).status_code == 304
    assert Client().get("/feeds/events.ics?country=FR", HTTP_IF_NONE_MATCH='"other"').status_code == 200


@pytest.mark.parametrize("accept, gzipped", [
    ("gzip, deflate, br", True), ("br;q=1.0, gzip;q=0.5", True), ("GZIP", True),
    ("", False), ("identity", False), ("gzip;q=0", False), ("gzip;q=0.000", False), ("deflate", False),
    ("gzip;q=nonsense", False),
])
def test_feeds_go_gzipped_to_clients_that_accept_it_with_one_etag(client, event, accept, gzipped):
    import gzip

    # Asked first this way (the 304 shortcut keeps the first answer's headers), then plainly.
    response = Client().get("/feeds/events.ics?country=FR", HTTP_ACCEPT_ENCODING=accept)
    plain = Client().get("/feeds/events.ics?country=FR")
    assert "Content-Encoding" not in plain and plain.content.startswith(b"BEGIN:VCALENDAR")
    assert response.status_code == 200
    assert "Accept-Encoding" in response["Vary"]
    assert response["ETag"] == plain["ETag"] and response["ETag"].startswith('W/"')
    if gzipped:
        assert response["Content-Encoding"] == "gzip"
        assert gzip.decompress(response.content) == plain.content
    else:
        assert "Content-Encoding" not in response and response.content == plain.content
    # A 304 carries no body and no Content-Encoding, whatever was asked.
    for asked in (accept, ""):
        again = Client().get("/feeds/events.ics?country=FR", HTTP_ACCEPT_ENCODING=asked,
                             HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304 and again.content == b"" and "Content-Encoding" not in again


def test_the_query_string_is_normalised_and_unknown_parameters_never_shown(client, event, django_assert_num_queries):
    first = client.get("/en/events/?format=&country=FR&utm_source=newsletter-4711")
    assert first.status_code == 200 and "newsletter-4711" not in first.content.decode()
    with django_assert_num_queries(0):
        same = Client().get("/en/events/?country=FR&format=&fbclid=noise-fbclid-9")  # other order, other noise
    assert "noise-fbclid-9" not in same.content.decode()  # (not "abc": an event's uid may hold it)
    assert "secret-campaign" not in Client().get(page_url(event) + "?utm_campaign=secret-campaign").content.decode()
    with django_assert_num_queries(0):
        plain = Client().get(page_url(event))
    assert "secret-campaign" not in plain.content.decode()


# --- changes show at once --------------------------------------------------------------------

def test_an_event_change_shows_at_once(client, event):
    assert "Atelier numérique" in client.get("/en/events/?country=FR").content.decode()
    assert "Atelier numérique" in client.get(page_url(event)).content.decode()
    event.title = "Atelier IA"
    event.save()
    assert "Atelier IA" in client.get("/en/events/?country=FR").content.decode()
    assert "Atelier IA" in client.get(page_url(event)).content.decode()


def test_a_cancellation_shows_at_once(client, event, django_capture_on_commit_callbacks):
    coordinator = factories.coordinator("FR")
    assert "This event is cancelled." not in client.get(page_url(event)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.event_cancel(user=coordinator, event=event, message="Strike")
    assert "This event is cancelled." in client.get(page_url(event)).content.decode()


def test_a_registration_shows_at_once(client, event, django_capture_on_commit_callbacks):
    assert "5 / 5" in client.get(page_url(event)).content.decode()
    person = factories.user()
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_create(event=event, name="Ana", email=person.email, consent=True, language="en",
                                     user=person)
    assert "4 / 5" in client.get(page_url(event)).content.decode()


def test_topic_and_organisation_renames_show_at_once(client, event):
    topic = Topic.objects.get(slug="digital-skills", locale__language_code="en")
    event.topics.add(topic)
    assert topic.name in client.get(page_url(event)).content.decode()
    assert "Compétences Nantes" in client.get(page_url(event)).content.decode()
    topic.name = "Digital and AI skills"
    topic.save()
    event.organisation.name = "Compétences Loire"
    event.organisation.save()
    body = client.get(page_url(event)).content.decode()
    assert "Digital and AI skills" in body and "Compétences Loire" in body
    assert "Digital and AI skills" in client.get("/en/events/?country=FR").content.decode()


def test_a_published_page_shows_at_once_on_the_home_page(client):
    from campaigns.models import HomePage

    assert client.get("/en/").status_code == 200
    home = HomePage.objects.get(locale__language_code="en")
    home.intro = "A brand new introduction."
    home.save_revision().publish()
    assert "A brand new introduction." in client.get("/en/").content.decode()


def test_a_feed_change_is_not_answered_304(client, event, org):
    etag = client.get("/feeds/events.ics")["ETag"]
    assert client.get("/feeds/events.ics", HTTP_IF_NONE_MATCH=etag).status_code == 304
    factories.published_event(org, title="New event")
    changed = client.get("/feeds/events.ics", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag and b"New event" in changed.content
    etag = changed["ETag"]
    assert client.get("/feeds/events.ics", HTTP_IF_NONE_MATCH=etag).status_code == 304
    topic = Topic.objects.get(slug="green-skills", locale__language_code="en")
    topic.name = "Green jobs"
    topic.save()  # a label every feed shows: no 304 for the old ETag
    assert client.get("/feeds/events.ics", HTTP_IF_NONE_MATCH=etag).status_code == 200
    event_etag = client.get(f"/feeds/events/{event.uid}.ics")["ETag"]
    event.summary = "Changed."
    event.save()
    assert client.get(f"/feeds/events/{event.uid}.ics", HTTP_IF_NONE_MATCH=event_etag).status_code == 200


def test_a_write_bumps_the_data_version_again_when_it_commits(event, django_capture_on_commit_callbacks):
    """A page rendered between the write's first bump (inside the transaction) and its commit read
    the old rows under the new version; the bump on commit leaves that page behind."""
    from events.cache import data_version

    before = data_version()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        event.title = "Renamed"
        event.save()
        during = data_version()
    assert during != before
    for callback in callbacks:
        callback()
    assert data_version() not in (before, during)


def test_a_registration_keeps_the_facet_counts_an_event_change_renews_them(
        client, event, django_assert_num_queries, django_capture_on_commit_callbacks):
    """Facet counts depend on events alone: a registration re-renders the
    list with its new place count but reuses them; a change to an event counts again."""
    other = factories.published_event(event.organisation, capacity=5, title="Atelier robotique", days=12)
    url = "/en/events/?country=FR"
    first = client.get(url).content.decode()
    assert "5 places left" in first
    person = factories.user()
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_create(event=event, name="Ana", email=person.email, consent=True, language="en",
                                     user=person)
    # The page's rows (those under way, those to come), places taken and organisers'
    # translations (topics come from the rows' topic_key); not the topic choices, nor the
    # country, topic, format and language counts, nor the total.
    # (The rows' two parts are one statement on PostgreSQL: selectors.SoonestFirst.)
    rows = 1 if connection.vendor == "postgresql" else 2
    with django_assert_num_queries(2 + rows):
        after_registration = client.get(url).content.decode()
    assert "4 places left" in after_registration and "5 places left" in after_registration
    with django_capture_on_commit_callbacks(execute=True):
        other.title = "Atelier robotique et IA"
        other.save()
    # The same 4 and the counts again (every facet in one query); not the topics' names and
    # images, which no event changes (events.cache.cached, labels_only).
    with django_assert_num_queries(3 + rows):
        after_change = client.get(url).content.decode()
    assert "Atelier robotique et IA" in after_change


def test_an_event_write_bumps_both_series_a_registration_only_the_data_version(
        event, django_capture_on_commit_callbacks):
    from events.cache import data_version, events_version

    data, events = data_version(), events_version()
    person = factories.user()
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_create(event=event, name="Ana", email=person.email, consent=True, language="en",
                                     user=person)
    assert data_version() != data and events_version() == events
    data = data_version()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        event.title = "Renamed"
        event.save()
        during = events_version()
    assert during != events and data_version() != data
    for callback in callbacks:
        callback()
    assert events_version() not in (events, during)  # again on commit, as the data version


# --- an event's page and its own registrations ------------------------------------------------

def register(event, email=None, **extra):
    """A guest's registration (pending until confirmed) for an address, else an account holder's
    (confirmed at once)."""
    if email is None:
        extra["user"] = factories.user()
        email = extra["user"].email
    return services.registration_create(event=event, name="Ana", email=email, consent=True, language="en", **extra)


def test_a_registration_for_another_event_leaves_an_event_page_cached(
        client, event, django_assert_num_queries, django_capture_on_commit_callbacks):
    """An event's page is kept under the events version and its own series, not the data version:
    someone registering for another event does not make it be drawn again; its own registrations
    do, with the new count."""
    other = factories.published_event(event.organisation, capacity=5, title="Atelier robotique", days=12)
    assert "5 / 5" in client.get(page_url(event)).content.decode()
    assert "5 / 5" in client.get(page_url(other)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        register(other)
    with django_assert_num_queries(0):
        assert "5 / 5" in Client().get(page_url(event)).content.decode()
    assert "4 / 5" in client.get(page_url(other)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        register(event)
    assert "4 / 5" in client.get(page_url(event)).content.decode()


@pytest.mark.parametrize("url, before", [("event page", "5 / 5"), ("/en/events/?country=FR", "5 places left")])
def test_without_the_events_registrations_version_its_pages_would_stay_stale(
        client, event, url, before, monkeypatch, django_capture_on_commit_callbacks):
    """Negative control for the tests above and below: with the registration's event unknown to
    the page cache (its registrations version not bumped, only the data version), the event page
    and the list still show the old count."""
    url = page_url(event) if url == "event page" else url
    monkeypatch.setattr(pagecache, "_event_uid", lambda registration: None)
    assert before in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        register(event)
    assert before in client.get(url).content.decode()


def test_every_change_to_an_events_registrations_shows_on_its_page(
        client, event, django_capture_on_commit_callbacks):
    """Each write path: a guest's registration confirmed from their email, cancelled from it, the
    waiting list moving up, an account erased; the page shows each at once."""
    from events.services import privacy

    def places():
        body = client.get(page_url(event)).content.decode()
        return "full" if "None – you can join the waiting list" in body else re.search(r"(\d) / 5", body).group(1)

    def committed(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    guests = [committed(lambda n=n: register(event, f"guest{n}@example.org")) for n in range(6)]
    assert places() == "5"  # pending: no place taken until the guest confirms
    for guest in guests[:4]:
        committed(lambda guest=guest: services.registration_confirm(registration=guest))
    assert places() == "1"
    holder = factories.user()
    committed(lambda: register(event, holder.email, user=holder))
    assert places() == "full"
    waiting = committed(lambda: services.registration_confirm(registration=guests[4]))
    assert waiting.status == "waitlisted" and places() == "full"
    committed(lambda: services.registration_cancel(registration=guests[0], by_token=True))
    assert places() == "full"  # the waiting list moved up into the freed place
    committed(lambda: services.registration_cancel(registration=guests[1], by_token=True))
    assert places() == "1"
    committed(lambda: privacy.account_delete(user=holder))
    assert places() == "2"


def test_a_registration_bumps_its_events_registrations_version_again_when_it_commits(
        event, django_capture_on_commit_callbacks):
    """A page drawn between the registration's first bump and its commit (on another server: the
    old count under the new version) is left behind by the bump on commit."""
    from events.cache import data_version, registrations_key

    before, data = cache.get(registrations_key(event.uid)), data_version()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        register(event)
        during = cache.get(registrations_key(event.uid))
    assert during is not None and during != before and data_version() != data
    data = data_version()
    for callback in callbacks:
        callback()
    assert cache.get(registrations_key(event.uid)) not in (before, during) and data_version() != data


def test_a_registration_redraws_only_the_lists_that_show_its_event(
        client, event, django_assert_num_queries, django_capture_on_commit_callbacks):
    """The list is kept under the registrations versions of the events on its page: a registration
    for an event of another country leaves the French list cached, one for a French event
    shows at once, for visitors signed in or not."""
    elsewhere = factories.published_event(factories.organisation("DE"), capacity=5, title="Werkstatt", days=12)
    signed_in = Client()
    signed_in.force_login(factories.user())
    url = "/en/events/?country=FR"
    assert "5 places left" in client.get(url).content.decode()
    assert "5 places left" in signed_in.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        register(elsewhere)
    with django_assert_num_queries(0):
        assert "5 places left" in Client().get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        register(event)
    assert "4 places left" in Client().get(url).content.decode()
    assert "4 places left" in signed_in.get(url).content.decode()


def test_a_whole_page_drawn_around_a_kept_part_depends_on_the_parts_events(
        event, django_capture_on_commit_callbacks):
    """A signed-in visitor draws the list's part first; the anonymous whole page is then drawn
    around that kept part (no query for its places): it must still follow its events'
    registrations (events.pagecache._adopt)."""
    url = "/en/events/?country=FR"
    signed_in = Client()
    signed_in.force_login(factories.user())
    assert "5 places left" in signed_in.get(url).content.decode()
    assert "5 places left" in Client().get(url).content.decode()  # the whole page, around the kept part
    with django_capture_on_commit_callbacks(execute=True):
        register(event)
    assert "4 places left" in Client().get(url).content.decode()


def test_without_adopting_the_parts_events_the_whole_page_would_stay_stale(
        event, monkeypatch, django_capture_on_commit_callbacks):
    """Negative control for the test above."""
    monkeypatch.setattr(pagecache, "_adopt", lambda read: None)
    url = "/en/events/?country=FR"
    signed_in = Client()
    signed_in.force_login(factories.user())
    signed_in.get(url)
    Client().get(url)
    with django_capture_on_commit_callbacks(execute=True):
        register(event)
    assert "5 places left" in Client().get(url).content.decode()


def test_a_registration_leaves_the_maps_answers_cached(client, event, django_assert_num_queries,
                                                       django_capture_on_commit_callbacks):
    event.latitude, event.longitude = 47.2, -1.55
    event.save()
    url = "/api/map/events?bbox=-5,42,8,51&zoom=6"
    first = client.get(url)
    assert first.status_code == 200 and first.json()["total"] >= 1
    with django_capture_on_commit_callbacks(execute=True):
        register(event)
    with django_assert_num_queries(0):
        assert Client().get(url).content == first.content


def _per_event_view(read):
    def view(request):
        return pagecache.serve_anonymous(request, "test-per-event", lambda: HttpResponse(str(read())),
                                         per_event=True)

    return view


@pytest.mark.parametrize("how, kept", [
    ("named", True),
    ("unnamed", False),
    ("data-version value", False),
])
def test_a_page_drawn_per_event_is_kept_only_when_it_names_whose_registrations_it_read(rf, event, how, kept):
    """The guard: a drawing that read registrations without naming their events, or a value kept
    under the data version (which may hold any registration), is not kept; it would not be
    drawn again after a registration."""
    from events.cache import cached
    from events.models import Registration

    def read():
        if how == "named":
            with pagecache.reading_registrations([event.uid]):
                return Registration.objects.filter(event=event).count()
        if how == "unnamed":
            return Registration.objects.filter(event=event).count()
        return cached(("test-data-version-value",), lambda: 1)

    assert _kept_per_event_page(rf, read) == (1 if kept else 2)


def _kept_per_event_page(rf, read):
    """Two requests to a page drawn per_event by `read()`: how many times it was drawn."""
    drawn = []
    view = _per_event_view(lambda: drawn.append(1) or read())
    for _ in range(2):
        request = rf.get("/en/test-per-event/")
        request.user = AnonymousUser()
        assert view(request).status_code == 200
    return len(drawn)


def test_a_drawing_that_read_two_moments_of_an_events_registrations_is_not_kept(rf, event):
    """A registration between two reads of the same event's registrations in one drawing: the
    page holds rows of both moments; kept under either version it would be wrong."""
    from events.cache import registrations_changed

    def read():
        with pagecache.reading_registrations([event.uid]):
            pass
        registrations_changed(event.uid)
        with pagecache.reading_registrations([event.uid]):
            return 1

    assert _kept_per_event_page(rf, read) == 2


def test_a_version_missing_when_read_is_started_with_the_page_and_an_eviction_draws_it_again(
        client, event, django_assert_num_queries):
    """No registration yet: the page starts its event's version when it is kept, so a version
    evicted (or expired) later never matches the copy, which is drawn again."""
    from events.cache import registrations_key

    key = registrations_key(event.uid)
    assert cache.get(key) is None
    client.get(page_url(event))
    started = cache.get(key)
    assert started is not None
    with django_assert_num_queries(0):
        Client().get(page_url(event))
    cache.delete(key)  # evicted
    with django_assert_num_queries(1):
        assert "5 / 5" in Client().get(page_url(event)).content.decode()
    assert cache.get(key) not in (None, started)


def test_a_registration_between_reading_no_version_and_keeping_the_page_leaves_it_unkept(rf, event):
    """The version was missing when read; a registration then started it: the page read the rows
    before that registration and is not kept."""
    from events.cache import registrations_changed

    def read():
        with pagecache.reading_registrations([event.uid]):
            registrations_changed(event.uid)  # as if it came just after the rows were read
            return 1

    assert _kept_per_event_page(rf, read) == 2


def test_a_change_to_any_event_or_label_still_renews_every_event_page(client, event):
    """What the page shows of other rows (topic and organisation names: the events version)."""
    other = factories.published_event(event.organisation, capacity=5, title="Atelier robotique", days=12)
    assert "Compétences Nantes" in client.get(page_url(event)).content.decode()
    other.organisation.name = "Compétences Loire"
    other.organisation.save()
    assert "Compétences Loire" in client.get(page_url(event)).content.decode()


# --- nothing personal is shared --------------------------------------------------------------

def test_a_signed_in_visitor_never_gets_the_anonymous_page_nor_shares_their_own(event):
    anonymous = Client()
    anonymous.get(page_url(event))  # cached now
    person = factories.user(email="ines@example.org")
    signed_in = Client()
    signed_in.force_login(person)
    mine = signed_in.get(page_url(event))
    body = mine.content.decode()
    assert "ines@example.org" in body and "Sign out" in body
    token = TOKEN.search(body).group(1)
    # Their token is theirs: it goes with their own CSRF cookie, and posts.
    from django.middleware.csrf import _does_token_match, _unmask_cipher_token  # noqa: F401

    assert _does_token_match(token, signed_in.cookies["csrftoken"].value)
    other = Client().get(page_url(event)).content.decode()
    assert "ines@example.org" not in other and "Sign out" not in other
    assert all("ines@example.org" not in entry["content"].decode() for entry in cached_entries())
    signed_in.get("/en/events/?country=FR")
    assert "ines@example.org" not in Client().get("/en/events/?country=FR").content.decode()


def test_signed_in_visitors_share_the_lists_part_and_get_their_own_header(event, django_assert_num_queries):
    """The list's filters and results are drawn once for everyone (events.pagecache.shared_part);
    each signed-in visitor's page has their own header around it."""
    url = "/en/events/?country=FR&utm_source=newsletter"
    ines, jon = Client(), Client()
    ines.force_login(factories.user(email="ines@example.org"))
    jon.force_login(factories.user(email="jon@example.org"))
    first = ines.get(url).content.decode()
    assert "Atelier numérique" in first and "Sign out" in first
    # Jon's page: his session, his account and the user bar's permission check (two look-ups);
    # the list from the shared part.
    with django_assert_num_queries(4):
        second = jon.get(url).content.decode()
    assert "Sign out" in second and TOKEN.search(second).group(1) != TOKEN.search(first).group(1)
    part = lambda html: html[html.index('<header class="page-header">'):html.index("</main>")]  # noqa: E731
    assert part(second) == part(first)
    assert all("ines@example.org" not in str(entry) for entry in cached_parts())
    assert Client().get(url).status_code == 200  # and visitors who are not signed in


def test_a_shared_part_shows_changes_at_once_and_is_drawn_for_nobody_in_particular(event, rf):
    jon = Client()
    jon.force_login(factories.user(email="jon@example.org"))
    assert "Atelier numérique" in jon.get("/en/events/?country=FR").content.decode()
    event.title = "Atelier renommé"
    event.save()
    assert "Atelier renommé" in jon.get("/en/events/?country=FR").content.decode()
    request = rf.get("/en/events/")
    request.user = factories.user(email="kim@example.org")
    seen = pagecache.shared_part(request, "test", lambda: (request.user.is_authenticated, str(request.user)))
    assert seen == (False, "AnonymousUser") and request.user.email == "kim@example.org"


def test_each_visitor_gets_their_own_csrf_token_and_can_register(event):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    page_one = first.get(page_url(event))
    page_two = second.get(page_url(event))  # from the cache
    token_one, token_two = TOKEN.search(page_one.content.decode()).group(1), TOKEN.search(
        page_two.content.decode()).group(1)
    assert token_one != token_two
    assert pagecache.CSRF_PLACEHOLDER not in page_two.content.decode()
    from django.middleware.csrf import _does_token_match

    assert _does_token_match(token_two, second.cookies["csrftoken"].value)
    assert not _does_token_match(token_one, second.cookies["csrftoken"].value)
    # The cached copy holds the placeholder, not anybody's token.
    entries = [e for e in cached_entries() if b"csrfmiddlewaretoken" in e["content"]]
    assert entries and all(pagecache.CSRF_PLACEHOLDER.encode() in e["content"] for e in entries)
    assert all(token_one.encode() not in e["content"] and token_two.encode() not in e["content"] for e in entries)
    response = second.post(f"/en/events/{event.uid}/register/", {
        "name": "Bo", "email": "bo@example.org", "consent": "on", "csrfmiddlewaretoken": token_two})
    assert response.status_code == 200 and "bo@example.org" in response.content.decode()


def test_a_visitor_with_a_session_or_messages_is_served_afresh(event, django_assert_num_queries):
    coordinator = factories.coordinator("FR")
    Client().get(page_url(event))  # cached
    guest = Client()
    services.event_cancel(user=coordinator, event=event, message="Sorry")
    response = guest.post(f"/en/events/{event.uid}/register/",
                          {"name": "Al", "email": "al@example.org", "consent": "on"})
    assert response.status_code == 302  # registration closed: a message, then the event page
    assert guest.cookies.get("messages") or guest.cookies.get("sessionid")
    page = guest.get(page_url(event)).content.decode()
    assert 'class="messages"' in page
    other = Client().get(page_url(event)).content.decode()
    assert 'class="messages"' not in other
    with_session = Client()
    with_session.cookies["sessionid"] = "whatever"
    assert with_session.get(page_url(event)).status_code == 200
    with django_assert_num_queries(0):
        Client().get(page_url(event))


def test_responses_vary_by_cookie_and_keep_their_headers(client, event):
    for url in ("/en/events/?country=FR", page_url(event)):
        for response in (client.get(url), Client().get(url)):
            assert "Cookie" in response["Vary"]
            assert response["Content-Language"] == "en"
            assert "nonce-" not in response["Content-Security-Policy"]
    hit = Client().get("/en/events/?country=FR")
    assert hit["Cache-Control"] == "public, max-age=60"
    assert not hit.cookies  # no form: no CSRF cookie either


def test_each_language_and_host_is_a_page_of_its_own(event, settings):
    settings.ALLOWED_HOSTS = ["testserver", "example.org"]
    english = Client().get("/en/events/").content.decode()
    french = Client().get("/fr/events/").content.decode()
    assert 'lang="en"' in english and 'lang="fr"' in french
    other_host = Client(HTTP_HOST="example.org").get(page_url(event)).content.decode()
    assert "http://example.org/" in other_host
    assert "http://example.org/" not in Client().get(page_url(event)).content.decode()


# --- no cache, no caching --------------------------------------------------------------------

def test_without_a_data_version_pages_come_from_the_database(client, event, monkeypatch):
    """The cache unreachable: no version can be read (data, events, an event's own series);
    nothing is stored or served from it."""
    monkeypatch.setattr(pagecache, "read_many", lambda keys: {})
    monkeypatch.setattr(pagecache, "data_version", lambda: None)
    monkeypatch.setattr(pagecache, "events_version", lambda: None)
    monkeypatch.setattr(pagecache, "version", lambda *args: None)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for url in ("/en/events/?country=FR", page_url(event)):
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert len(queries) > 0
    assert cached_entries() == []


def test_the_page_cache_can_be_turned_off(client, event, settings):
    settings.EYOS_PAGE_CACHE = False
    client.get(page_url(event))
    assert cached_entries() == []


def test_a_page_that_used_a_real_csrf_token_is_not_stored(rf):
    from django.template import engines

    def view(request):
        from django.http import HttpResponse

        template = engines["django"].from_string("<form>{% csrf_token %}</form>")
        return HttpResponse(template.render({}, request))  # no placeholder: Django's own token

    request = rf.get("/en/anything/")
    from django.middleware.csrf import CsrfViewMiddleware

    CsrfViewMiddleware(lambda r: None).process_request(request)
    response = pagecache.serve_anonymous(request, "test", lambda: view(request))
    assert TOKEN.search(response.content.decode())
    assert cached_entries() == []


# --- events/quickread.py against the real Redis ----------------------------------------------

def _redis_running():
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", 6379)) == 0


needs_redis = pytest.mark.skipif(not _redis_running(), reason="needs Redis on 127.0.0.1:6379")


@pytest.fixture(autouse=True)
def _fresh_quickread():
    from events import quickread

    yield
    quickread._drop_link()
    quickread._resting_until[0] = 0
REDIS_CACHE = {"default": {"BACKEND": "eyos.cache.ResilientRedisCache", "LOCATION": "redis://127.0.0.1:6379/12",
                           "KEY_PREFIX": "quickread-test",
                           "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5,
                                       "RECOVERY_HOOKS": ["events.cache.after_cache_outage"]}}}


@needs_redis
def test_quickread_serves_from_memory_and_sees_every_write(settings):
    import time

    import redis

    from events import quickread

    settings.CACHES = REDIS_CACHE
    from django.core.cache import caches

    backend = caches["default"]
    backend.clear()
    backend.set("a", {"n": 0})
    assert quickread.read_many(["a", "b"]) == {"a": {"n": 0}}
    link = quickread._local.link
    calls = []
    real = link._call
    link._call = lambda args: calls.append(args[0]) or real(args)
    assert quickread.read_many(["a", "b"]) == {"a": {"n": 0}}
    assert calls == []  # from memory: no round trip
    other = redis.Redis.from_url("redis://127.0.0.1:6379/12")  # another app server
    key = backend.make_and_validate_key("a")
    for n in range(1, 100):
        other.set(key, n)
        waited = time.perf_counter()
        while quickread.read_many(["a"]).get("a") != n:  # Redis's invalidation is on its way
            assert time.perf_counter() - waited < 0.05, "no invalidation within 50 ms"
    assert quickread.read_many(["a"]) == {"a": 99} and calls  # read again after each invalidation
    other.flushdb()  # FLUSHDB invalidates everything
    waited = time.perf_counter()
    while quickread.read_many(["a"]):
        assert time.perf_counter() - waited < 0.05
    backend.clear()


@needs_redis
def test_quickread_in_the_writing_process_reads_afresh_at_once(settings, event):
    """The process that bumps a version forgets what it remembered: no race with the invalidation."""
    from events import quickread
    from events.cache import KEY

    settings.CACHES = REDIS_CACHE
    from django.core.cache import caches

    caches["default"].clear()
    for _ in range(50):
        before = quickread.read_many([KEY, pagecache.PAGES_KEY])
        event.title = f"Title {before}"
        event.save()  # bumps the data version
        pagecache.bump_pages_version()
        after = quickread.read_many([KEY, pagecache.PAGES_KEY])
        assert after[KEY] != before.get(KEY) and after[pagecache.PAGES_KEY] != before.get(pagecache.PAGES_KEY)
    caches["default"].clear()


@needs_redis
def test_quickread_reads_again_after_memo_seconds(settings, monkeypatch):
    from events import quickread

    settings.CACHES = REDIS_CACHE
    from django.core.cache import caches

    caches["default"].set("a", 1)
    assert quickread.read_many(["a"]) == {"a": 1}
    link = quickread._local.link
    link._apply = lambda push: None  # as if invalidations never arrived (a hung connection)
    caches["default"].set("a", 2)
    monkeypatch.setattr(quickread, "MEMO_SECONDS", 0)
    assert quickread.read_many(["a"]) == {"a": 2}
    caches["default"].clear()


@needs_redis
def test_quickread_falls_back_to_the_backend_when_its_connection_breaks(settings):
    from events import quickread

    settings.CACHES = REDIS_CACHE
    from django.core.cache import caches

    backend = caches["default"]
    backend.set("a", 1)
    assert quickread.read_many(["a"]) == {"a": 1}
    quickread._local.link.sock.close()  # the connection is gone
    backend.set("a", 2)
    assert quickread.read_many(["a"]) == {"a": 2}  # through the backend, then it rests
    quickread._resting_until[0] = 0
    assert quickread.read_many(["a"]) == {"a": 2}  # a new connection
    backend.clear()


@needs_redis
def test_quickread_gives_up_on_a_server_that_refuses_tracking(settings, monkeypatch):
    from events import quickread

    settings.CACHES = REDIS_CACHE
    from django.core.cache import caches

    caches["default"].set("a", 1)
    real = quickread._Link._call

    def no_client_command(self, args):
        if args[:2] == [b"CLIENT", b"TRACKING"]:
            raise quickread.ProtocolError("ERR unknown command 'CLIENT'")
        return real(self, args)

    monkeypatch.setattr(quickread._Link, "_call", no_client_command)
    assert quickread.read_many(["a"]) == {"a": 1}  # through the backend
    target = quickread._target(caches["default"])
    assert target is None  # and not tried again
    quickread._targets.clear()
    caches["default"].clear()


def test_indexing_an_event_moves_the_events_version_so_no_search_misses_it(event, settings):
    """The search index is written by a task after the save: a search cached between the save and
    the indexing must not outlive the indexing (events/apps.py)."""
    from django.tasks import task_backends
    from django.tasks.signals import task_finished
    from modelsearch.tasks import insert_or_update_object_task

    from events.cache import events_version

    before = events_version()
    result = insert_or_update_object_task.enqueue("events", "event", str(event.pk))  # immediate in tests
    assert result.status == "SUCCESSFUL"
    after = events_version()
    assert after != before
    # Another model's indexing, or a failed run, moves nothing.
    insert_or_update_object_task.enqueue("wagtailcore", "page", "1")
    import dataclasses

    failed = dataclasses.replace(result, status="FAILED")
    task_finished.send(type(task_backends["default"]), task_result=failed)
    assert events_version() == after


def test_a_search_cached_before_the_event_is_indexed_is_not_served_after(client, org, settings):
    settings.EYOS_PAGE_CACHE = False
    assert "Zebra" not in client.get("/en/events/?q=zebra").content.decode()
    with mock_index_task():  # the save, but the index task has not run yet (as with a busy worker)
        event = factories.published_event(org, title="Zebra crossing workshop")
    assert "Zebra crossing" not in client.get("/en/events/?q=zebra").content.decode()  # cached, stale
    from modelsearch.tasks import insert_or_update_object_task

    insert_or_update_object_task.enqueue("events", "event", str(event.pk))  # the worker gets to it
    assert "Zebra crossing workshop" in client.get("/en/events/?q=zebra").content.decode()


def mock_index_task():
    from unittest import mock

    return mock.patch("modelsearch.signal_handlers.insert_or_update_object_task")


def test_after_a_wagtail_page_is_drawn_the_request_keeps_its_query_for_redirects(client):
    """The page is drawn as if unknown parameters were absent, but what runs after the view
    (Wagtail's redirects on a 404) sees the address the visitor asked for."""
    from wagtail.contrib.redirects.models import Redirect

    Redirect.objects.create(old_path="/en/old-news?id=42", redirect_link="/en/countries/")
    response = Client().get("/en/old-news/?id=42")
    assert response.status_code in (301, 302) and response["Location"].endswith("/en/countries/")


@pytest.mark.parametrize("environment, expected", [
    ({}, "True 60"),  # production: on, 60 s
    ({"EYOS_PAGE_CACHE": "0"}, "False 60"),
    ({"EYOS_PAGE_CACHE": "1", "EYOS_PAGE_CACHE_SECONDS": "15"}, "True 15"),
    ({"EYOS_PAGE_CACHE": "", "EYOS_PAGE_CACHE_SECONDS": " "}, "True 60"),  # empty, as an .env file gives them
])
def test_the_page_cache_is_switched_and_timed_from_the_environment(environment, expected):
    """README's `EYOS_PAGE_CACHE=0` and `EYOS_PAGE_CACHE_SECONDS`, read by the settings a host runs."""
    import os
    import subprocess
    import sys

    env = {name: value for name, value in os.environ.items() if not name.startswith(("EYOS_", "DJANGO_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "eyos.settings.production", "SECRET_KEY": "x" * 50,
                "ALLOWED_HOSTS": "example.org", **environment})
    code = ("import django; django.setup(); from events.pagecache import page_cache_enabled, page_ttl; "
            "print(page_cache_enabled(), page_ttl())")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected


def test_quickread_remembers_each_backends_own_made_keys(monkeypatch):
    """The made keys are remembered per prefix and version (never another backend's), in a bounded
    memo."""
    from django.core.cache.backends.locmem import LocMemCache

    from events import quickread

    monkeypatch.setattr(quickread, "_MADE", {})
    monkeypatch.setattr(quickread, "MADE_MAX", 3)
    first = LocMemCache("a", {"KEY_PREFIX": "one"})
    second = LocMemCache("b", {"KEY_PREFIX": "two", "VERSION": 2})
    for backend in (first, second, first):
        assert quickread._made(backend, "eyos:k") == backend.make_and_validate_key("eyos:k").encode()
    assert len(quickread._MADE) == 2
    quickread._made(first, "eyos:other")
    quickread._made(first, "eyos:third")  # full: emptied, then this one
    assert len(quickread._MADE) == 1
