"""The public read API (/api/v1/): the list's own events for the list's own filters, answers that
hold to the OpenAPI description, cursors that stay stable while events are added, updated_since,
nothing personal, CORS for reads, a rate limit per client, a cache per data version and a query
count that does not grow with the page."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from events.filters import EventFilterForm
from events.models import Event, Topic
from opendata import api as api_module
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.EYOS_PAGE_CACHE = False  # the list page's context is compared with the API


def get_json(client, url, status=200, **headers):
    response = client.get(url, **headers)
    assert response.status_code == status, (url, response.status_code, response.content[:500])
    assert response["Content-Type"] == "application/json"
    return response.json()


def api_uids(client, query, limit=50):
    """Every event the API gives for a query, following `next` to the end."""
    uids, url = [], f"/api/v1/events?{query}&limit={limit}"
    while url:
        data = get_json(client, url)
        api_module.EventPage.model_validate(data)
        uids += [event["uid"] for event in data["results"]]
        url = data["next"] and data["next"].removeprefix("http://testserver")
    return uids


def list_uids(client, query):
    """Every event the list page shows for a query, page after page, in its order."""
    uids, number = [], 1
    while True:
        response = client.get(f"/en/events/?{query}&page={number}")
        assert response.status_code == 200, (query, response.status_code)
        page = response.context["page"]
        uids += [str(event.uid) for event in page.object_list]
        if not page.has_next():
            return uids
        number += 1


QUERIES = [
    "", "country=FR", "country=FR&country=DE", "topic=digital-skills", "topic=digital-skills&topic=green-skills",
    "format=online", "language=fr", "country=IT&format=onsite", "past=1", "past=1&country=FR",
    "q=skills", "q=workshop&country=FR",
]


@pytest.mark.parametrize("query", QUERIES)
def test_the_api_gives_the_list_pages_events_in_its_order(client, query):
    today = timezone.now().date()
    for extra in ("", f"&from={today + timedelta(days=7)}&to={today + timedelta(days=90)}"):
        listed = list_uids(client, query + extra)
        assert api_uids(client, query + extra, limit=37) == listed


def test_every_filter_of_the_list_is_a_documented_parameter_that_gives_the_lists_events(client):
    """Filters added to the list's form (near=, accessibility, audience …) are the API's too."""
    spec = get_json(client, "/api/v1/openapi.json")
    parameters = {p["name"]: p for p in spec["paths"]["/api/v1/events"]["get"]["parameters"]}
    for name in EventFilterForm.base_fields:
        assert EventFilterForm.PARAMETERS.get(name, name) in parameters, name
    assert {"cursor", "limit", "updated_since"} <= set(parameters)
    assert parameters["country"]["schema"]["type"] == "array"
    assert parameters["from"]["schema"]["format"] == "date"
    assert parameters["limit"]["schema"]["maximum"] == api_module.MAX_LIMIT
    # Whatever boolean filters the list has, each gives the list's events.
    for name, field in EventFilterForm.base_fields.items():
        if name != "past" and field.__class__.__name__ == "BooleanField":
            assert api_uids(client, f"{name}=1") == list_uids(client, f"{name}=1"), name


def test_answers_hold_to_the_openapi_description(client):
    spec = get_json(client, "/api/v1/openapi.json")
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["license"] == {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"}
    assert {"/api/v1/events", "/api/v1/events/{uid}", "/api/v1/topics", "/api/v1/countries"} <= set(spec["paths"])
    documented = spec["components"]["schemas"]["EventOut"]["properties"]
    page = get_json(client, "/api/v1/events?limit=5")
    api_module.EventPage.model_validate(page)
    assert page["license"] == "https://creativecommons.org/licenses/by/4.0/"
    for event in page["results"]:
        assert set(event) == set(documented) == set(api_module.EventOut.model_fields)
    detail = get_json(client, f"/api/v1/events/{page['results'][0]['uid']}")
    api_module.EventDetail.model_validate(detail)
    assert detail["event"] == page["results"][0]
    topics = get_json(client, "/api/v1/topics")
    api_module.TopicList.model_validate(topics)
    slugs = {topic["slug"] for topic in topics["results"]}
    assert slugs == set(Topic.objects.filter(locale__language_code="en").values_list("slug", flat=True))
    digital = next(topic for topic in topics["results"] if topic["slug"] == "digital-skills")
    assert len(digital["names"]) == 24
    countries = get_json(client, "/api/v1/countries")
    api_module.CountryList.model_validate(countries)
    france = next(country for country in countries["results"] if country["code"] == "FR")
    assert france["name"] == "France"
    assert france["upcoming_events"] == len(list_uids(client, "country=FR"))
    assert len(countries["results"]) == 39


def test_only_published_public_events_and_nothing_personal(client, users):
    org = factories.organisation("FR", members=[users["organiser"]])
    creator = factories.user(email="secret-creator@example.org")
    published = factories.published_event(org, format="hybrid", online_url="https://meet.example.org/secret-room",
                                          moderation_comment="internal note", created_by=creator)
    cancelled = factories.published_event(org, title="Called off")
    cancelled.status = Event.Status.CANCELLED
    cancelled.save()
    hidden = [factories.event(org, status=status) for status in (Event.Status.DRAFT, Event.Status.SUBMITTED,
                                                                 Event.Status.REJECTED, Event.Status.CHANGES_REQUESTED)]
    body = client.get(f"/api/v1/events/{published.uid}").content.decode()
    for secret in ("secret-creator@example.org", "organiser@example.org", "secret-room", "internal note"):
        assert secret not in body
    assert get_json(client, f"/api/v1/events/{cancelled.uid}")["event"]["status"] == "cancelled"
    for event in hidden:
        assert get_json(client, f"/api/v1/events/{event.uid}", status=404)["detail"]
    listed = api_uids(client, "country=FR", limit=200)
    assert str(published.uid) in listed
    assert not {str(event.uid) for event in hidden + [cancelled]} & set(listed)


def test_cursor_pages_stay_stable_when_events_are_added(client):
    org = factories.organisation("MT")
    Event.objects.filter(country="MT").exclude(organisation=org).update(status=Event.Status.DRAFT)
    events = [factories.published_event(org, days=10 + n) for n in range(7)]
    first = get_json(client, "/api/v1/events?country=MT&limit=3")
    assert [e["uid"] for e in first["results"]] == [str(e.uid) for e in events[:3]]
    assert first["next_cursor"]
    # Added meanwhile: one before the cursor (a page-number API would repeat an event), one after.
    factories.published_event(org, days=1)
    later = factories.published_event(org, days=15, title="Added later")
    seen = [e["uid"] for e in first["results"]]
    url = first["next"].removeprefix("http://testserver")
    while url:
        page = get_json(client, url)
        seen += [e["uid"] for e in page["results"]]
        url = page["next"] and page["next"].removeprefix("http://testserver")
    assert len(seen) == len(set(seen))  # no event twice
    assert set(seen) == {str(e.uid) for e in events} | {str(later.uid)}  # none missed


def test_past_events_are_paged_latest_first_and_cursors_are_not_mixed(client):
    org = factories.organisation("MT")
    Event.objects.filter(country="MT").exclude(organisation=org).update(status=Event.Status.DRAFT)
    past = [factories.published_event(org, days=-n) for n in range(2, 7)]
    page = get_json(client, "/api/v1/events?country=MT&past=1&limit=2")
    assert [e["uid"] for e in page["results"]] == [str(e.uid) for e in past[:2]]
    assert api_uids(client, "country=MT&past=1", limit=2) == [str(e.uid) for e in past]
    # A cursor of the past-events order is refused for coming events.
    data = get_json(client, f"/api/v1/events?country=MT&cursor={page['next_cursor']}", status=400)
    assert "cursor" in data["errors"]


def test_updated_since_gives_every_change_oldest_first_cancellations_included(client):
    org = factories.organisation("MT")
    old = factories.published_event(org, days=5)
    Event.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=3))
    since = timezone.now() - timedelta(hours=1)
    changed = factories.published_event(org, days=20)
    gone = factories.published_event(org, days=-10)  # past, changed now
    cancelled = factories.published_event(org, days=30)
    cancelled.status = Event.Status.CANCELLED
    cancelled.save()
    draft = factories.event(org)
    query = urlencode({"country": "MT", "updated_since": since.isoformat()})
    data = get_json(client, f"/api/v1/events?{query}")
    uids = [e["uid"] for e in data["results"]]
    assert str(old.uid) not in uids and str(draft.uid) not in uids
    assert {str(changed.uid), str(gone.uid), str(cancelled.uid)} <= set(uids)
    stamps = [e["updated"] for e in data["results"]]
    assert stamps == sorted(stamps)
    assert next(e for e in data["results"] if e["uid"] == str(cancelled.uid))["status"] == "cancelled"
    # Paged too, and a moment without an offset is UTC.
    naive = since.astimezone(timezone.UTC).replace(tzinfo=None).isoformat()
    assert api_uids(client, urlencode({"country": "MT", "updated_since": naive}), limit=1) == uids


@pytest.mark.parametrize("query", [
    "cursor=nonsense", "cursor=" + "A" * 500, "cursor=WyJzdGFydCIsIm5vIiwxXQ", "from=2026-02-30", "to=99999-01-01",
    "from=2030-01-02&to=2030-01-01", "updated_since=yesterday", "updated_since=99999-01-01T00:00",
    "limit=0", "limit=-1", "limit=100000", "limit=99999999999999999999999", "limit=abc", "country=XX",
    "topic=no-such-topic", "format=paper", "language=xx",
])
def test_bad_parameters_are_a_400_with_the_reason(client, query):
    data = get_json(client, f"/api/v1/events?{query}", status=400)
    assert data["errors"]


def test_cors_is_open_for_reads_of_the_api_only(client):
    origin = {"HTTP_ORIGIN": "https://partner.example.org"}
    for url in ("/api/v1/events?limit=1", "/api/v1/topics", "/api/v1/openapi.json"):
        response = client.get(url, **origin)
        assert response["Access-Control-Allow-Origin"] == "*"
        assert "Access-Control-Allow-Credentials" not in response
        assert "Link" in response["Access-Control-Expose-Headers"]
    assert client.head("/api/v1/events?limit=1", **origin)["Access-Control-Allow-Origin"] == "*"
    preflight = client.options("/api/v1/events", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET", **origin)
    assert preflight.status_code == 200 and preflight["Access-Control-Allow-Origin"] == "*"
    assert set(preflight["Access-Control-Allow-Methods"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}
    assert "Access-Control-Allow-Credentials" not in preflight
    for url in ("/en/events/", "/feeds/events.ics", "/data/catalog.jsonld", "/embed/events/", "/en/"):
        assert "Access-Control-Allow-Origin" not in client.get(url, **origin), url


def test_licence_in_every_answer_and_its_headers(client):
    response = client.get("/api/v1/events?limit=2")
    assert '<https://creativecommons.org/licenses/by/4.0/>; rel="license"' in response["Link"]
    assert 'rel="next"' in response["Link"]
    assert response["Cache-Control"] == "public, max-age=60"
    for url in ("/api/v1/topics", "/api/v1/countries"):
        assert get_json(client, url)["license"] == "https://creativecommons.org/licenses/by/4.0/"


def test_rate_limited_per_client(client, settings):
    settings.EYOS_API_RATE = (3, 60)
    for _ in range(3):
        assert client.get("/api/v1/topics").status_code == 200
    refused = client.get("/api/v1/events")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    # Another client is not affected.
    assert client.get("/api/v1/topics", REMOTE_ADDR="198.51.100.7").status_code == 200


def test_head_answers_like_get(client):
    assert client.head("/api/v1/events?limit=1").status_code == 200
    assert client.head("/api/v1/countries").status_code == 200


def test_answers_are_cached_until_the_next_write(client, django_assert_num_queries):
    org = factories.organisation("MT")
    event = factories.published_event(org, title="Before")
    url = "/api/v1/events?country=MT&limit=50"
    assert "Before" in client.get(url).content.decode()
    assert client.get(f"/api/v1/events/{event.uid}").status_code == 200
    with django_assert_num_queries(0):
        assert client.get(url).status_code == 200
        assert client.get(f"/api/v1/events/{event.uid}").status_code == 200
    event.title = "After"
    event.save()
    assert "After" in client.get(url).content.decode()
    assert get_json(client, f"/api/v1/events/{event.uid}")["event"]["title"] == "After"


def test_a_page_costs_the_same_queries_whatever_its_size(client, django_assert_num_queries):
    from django.core.cache import cache

    assert Event.objects.filter(status="published", end__gte=timezone.now()).count() > 150
    for limit in (5, 50, 150):
        cache.clear()
        # With the cache emptied: the topics' last change (events.cache.labels_changed_at, from
        # the database) and the topic choices (both cached afterwards), the page's events, their topics.
        with django_assert_num_queries(4):
            data = get_json(client, f"/api/v1/events?limit={limit}")
        assert len(data["results"]) == limit
    cache.clear()
    # and the free-text search, then the same text across languages (topic and country names,
    # organisers' translations: contenttranslation.search), both cached afterwards
    with django_assert_num_queries(6):
        get_json(client, "/api/v1/events?limit=100&q=skills")
    for url in ("/api/v1/topics", "/api/v1/countries"):
        cache.clear()
        with django_assert_num_queries(1):
            get_json(client, url)
    cache.clear()
    uid = Event.objects.filter(status="published").values_list("uid", flat=True).first()
    with django_assert_num_queries(2):
        get_json(client, f"/api/v1/events/{uid}")


def test_outside_the_language_prefixes(client):
    assert client.get("/en/api/v1/events", follow=True).status_code == 404
    missing = client.get("/api/v1/events/00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404 and missing.json()["detail"]
    assert client.get("/api/v1/nothing").status_code == 404  # not a redirect to /en/…


def test_docs_page_works_under_the_sites_policy(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "cdn" not in html.lower() and "https://" not in html.replace("https://creativecommons.org", "")
    assert "<script>" not in html  # no inline script: only files from this site
    for asset in ("/static/ninja/swagger-ui-bundle.js", "/static/ninja/swagger-ui.css", "/static/js/api-docs.js"):
        assert asset in html
    from django.contrib.staticfiles import finders

    for asset in ("ninja/swagger-ui-bundle.js", "ninja/swagger-ui.css", "js/api-docs.js"):
        assert finders.find(asset), asset
    assert "CC BY 4.0" in html and 'rel="license"' in html
    assert response["X-Frame-Options"]  # only the widget may be framed


def test_errors_are_in_english_whatever_the_browser_asks(client):
    data = get_json(client, "/api/v1/events?country=XX&from=2026-02-30", status=400, HTTP_ACCEPT_LANGUAGE="de")
    assert "Enter a valid date." in data["errors"]["from"]
    assert "XX" in data["errors"]["country"][0]


def test_lang_gives_the_organisers_translations_and_says_which_language(client, django_assert_num_queries):
    from contenttranslation import services as translation_services

    member = factories.user()
    org = factories.organisation("DE", members=[member])
    translated = factories.published_event(org, title="Konferenz über Fähigkeiten", summary="Ein Tag.", language="de")
    untouched = factories.published_event(org, title="Werkstatt", summary="Zwei Tage.", language="de")
    translation_services.event_translation_save(
        user=member, event=translated, language="fr", title="Conférence sur les compétences", summary="Un jour.",
        description="")
    events = {event["uid"]: event for event in get_json(client, "/api/v1/events?country=DE&lang=fr")["results"]}
    assert events[str(translated.uid)]["title"] == "Conférence sur les compétences"
    assert events[str(translated.uid)]["summary"] == "Un jour."
    assert (events[str(translated.uid)]["language"], events[str(translated.uid)]["content_language"]) == ("de", "fr")
    assert events[str(untouched.uid)]["title"] == "Werkstatt"
    assert events[str(untouched.uid)]["content_language"] == "de"
    # Without lang, or in a language nobody translated it into: the organiser's own text.
    for query in ("country=DE", "country=DE&lang=it"):
        plain = {event["uid"]: event for event in get_json(client, f"/api/v1/events?{query}")["results"]}
        assert plain[str(translated.uid)]["title"] == "Konferenz über Fähigkeiten"
        assert plain[str(translated.uid)]["content_language"] == "de"
    detail = get_json(client, f"/api/v1/events/{translated.uid}?lang=fr")
    api_module.EventDetail.model_validate(detail)
    assert detail["event"] == events[str(translated.uid)]
    assert get_json(client, f"/api/v1/events/{translated.uid}")["event"]["title"] == "Konferenz über Fähigkeiten"
    # The next page's link keeps the language.
    page = get_json(client, "/api/v1/events?country=DE&lang=fr&limit=1")
    assert "lang=fr" in page["next"]
    # One query more for the translations of the whole page, not one per event.
    from django.core.cache import cache

    cache.clear()
    with django_assert_num_queries(5):
        get_json(client, "/api/v1/events?lang=fr&limit=150")


@pytest.mark.parametrize("url", ["/api/v1/events?lang=xx", "/api/v1/events/00000000-0000-4000-8000-000000000000?lang=xx"])
def test_an_unknown_lang_is_a_400_with_the_reason(client, url):
    data = get_json(client, url, status=400)
    assert "lang" in data["errors"]


def test_lang_is_documented_on_the_list_and_the_event(client):
    spec = get_json(client, "/api/v1/openapi.json")
    for path in ("/api/v1/events", "/api/v1/events/{uid}"):
        parameters = {p["name"]: p for p in spec["paths"][path]["get"]["parameters"]}
        assert "fr" in parameters["lang"]["schema"]["enum"], path
    detail = {p["name"] for p in spec["paths"]["/api/v1/events/{uid}"]["get"]["parameters"]}
    assert "uid" in detail
