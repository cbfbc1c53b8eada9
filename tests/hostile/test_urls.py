"""Hostile input on every public GET URL, whatever arrives in URL paths, query strings and headers:
the answer is a page or a clear error - never a 500.

Every public GET URL is discovered from the URLconf (the events, feeds, privacy and organise
namespaces, allauth's sign-in pages, the site's own redirects) and joined by the Wagtail pages of
the seeded demo site. Each is asked with real path values from the demo database and with hostile
ones, anonymously and signed in as the demo organiser, with hostile query strings: text that
Django encodes, and raw bytes that reach it undecoded (invalid UTF-8, overlong forms, encoded
surrogates, NUL), beside hostile headers. A new URL is covered without editing this file, or - when
it takes a parameter this file cannot fill - fails test_every_public_url_is_covered. The signed
links (registration and personal feed tokens) refuse hostile tokens."""

from urllib.parse import quote_from_bytes

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import event as observe
from hypothesis import strategies as st

from events import services
from events.models import Event, Organisation, Registration
from eyos.accounts.demo import DEMO_PASSWORD
from tests import factories
from tests.urlconf import named_urls

from .helpers import encoded, fresh_example, get_raw
from .strategies import (
    BAD_BYTES,
    HOSTILE,
    HOSTILE_COUNTRY_CODES,
    HOSTILE_PATH_VALUES,
    HOSTILE_TEXT,
    RELAXED,
    hostile_path_value,
)

pytestmark = pytest.mark.django_db

NAMESPACES = {"events", "feeds", "privacy", "organise", "opendata", "api-v1", "map"}
# Public pages outside those namespaces: allauth's sign-in pages and the site's own redirects.
NAMED = {"account_login", "account_signup", "account_reset_password", "account_reauthenticate", "root", "healthz",
         "admin_login_redirect"}
# Served by Wagtail's catch-all, found in the seeded database by the `site` fixture.
WAGTAIL_PAGES = ("wagtail:home", "wagtail:home_fr", "wagtail:campaign_index", "wagtail:campaign",
                 "wagtail:national", "wagtail:national_fr", "wagtail:privacy")
# Parameters filled with the same kind of real value wherever they appear.
REAL_PARAMETERS = {"uid", "org_slug", "country", "pk"}
# URLs that answer only with some query parameters: the real request carries them.
REAL_QUERIES = {"map:events": "bbox=-11,34,45,71.5&zoom=4"}
# Parameters whose meaning depends on the URL: each URL that takes one needs its own real value.
PER_URL = {"events:registration_confirm": "token", "events:registration_cancel": "token", "feeds:personal": "token",
           "organise:join": "token", "opendata:data_file": "kind"}


def discover():
    """(name, ((parameter, converter), ...)) for every public named URL."""
    for namespace, name, pattern in named_urls():
        converters = tuple(sorted((param, type(conv).__name__) for param, conv in pattern.converters.items()))
        if namespace in NAMESPACES:
            yield f"{namespace}:{name}", converters
        elif not namespace and name in NAMED:
            yield name, converters


DISCOVERED = sorted(set(discover()))
ROUTES = DISCOVERED + [(name, ()) for name in WAGTAIL_PAGES]
ROUTE_NAMES = [name for name, _params in ROUTES]
PARAMETERS = dict(ROUTES)
# A sentinel per converter: reverse() accepts it, then the real or hostile value replaces it.
SENTINELS = {"UUIDConverter": "00000000-0000-4000-8000-0000005e1171", "StringConverter": "S3NT1NEL",
             "SlugConverter": "s3nt1nel", "IntConverter": "918273645546"}
SENTINELS["UUIDStrConverter"] = SENTINELS["UUIDConverter"]  # django-ninja's (the read API's)


def test_every_public_url_is_covered():
    names = {name for name, _params in DISCOVERED}
    assert {"events:list", "events:subscribe", "events:detail", "events:register", "events:my_registrations",
            "events:registration_confirm", "events:registration_cancel", "feeds:events", "feeds:country",
            "feeds:event", "feeds:personal", "privacy:my_data", "privacy:delete", "organise:dashboard",
            "organise:organisation_create", "organise:organisation", "organise:join", "organise:event_create",
            "organise:event", "organise:event_edit", "organise:event_cancel", "map:events"} | NAMED <= names
    for name, params in DISCOVERED:
        for param, converter in params:
            assert converter in SENTINELS, (name, param, converter)
            # A parameter this file cannot fill with a real value: add it to REAL_PARAMETERS (one
            # kind of value everywhere) or PER_URL (and its value to the `site` fixture).
            assert param in REAL_PARAMETERS or PER_URL.get(name) == param, (name, param)


@pytest.fixture
def site(db):
    """Real path values from the seeded demo database, and a client signed in as its organiser."""
    from campaigns.models import CampaignIndexPage, CampaignPage, HomePage, NationalPage, PrivacyPage

    organiser = get_user_model().objects.get(email="organiser@example.org")
    org = Organisation.objects.get(slug="competences-lyon", members=organiser)
    now = timezone.now()
    published = (Event.objects.filter(organisation=org, status=Event.Status.PUBLISHED, start__gt=now)
                 .order_by("start").first())
    draft = factories.event(org)
    guest = Registration.objects.create(event=published, name="Guest", email="guest-hostile@example.org",
                                        consent_at=now)
    own = Registration.objects.create(event=published, user=organiser, name="Organiser", email=organiser.email,
                                      consent_at=now, status=Registration.Status.CONFIRMED, confirmed_at=now)
    values = {
        "uid": str(published.uid), "org_slug": org.slug, "country": "fr", "pk": str(own.pk),
        "organise:event_edit": {"uid": str(draft.uid)},
        "organise:event_submit": {"uid": str(draft.uid)},
        "events:registration_confirm": {"token": services.registration_token(guest, "confirm")},
        "events:registration_cancel": {"token": services.registration_token(guest, "cancel")},
        "feeds:personal": {"token": services.personal_feed_token(user=organiser)},
        "organise:join": {"token": services.organisation_invite_token(user=organiser, organisation=org)},
        # The token-free pages the links lead to name their registration (or organisation).
        "events:registration_confirm_page": {"pk": str(guest.pk)},
        "events:registration_cancel_page": {"pk": str(guest.pk)},
        "opendata:data_file": {"kind": "csv"},
    }
    from opendata import dataset

    if dataset.current_file("csv") is None:  # the open dataset, once per run (in-memory storage)
        dataset.write_dataset()
    pages = {
        "wagtail:home": HomePage.objects.get(locale__language_code="en", depth=2),
        "wagtail:home_fr": HomePage.objects.get(locale__language_code="fr", depth=2),
        "wagtail:campaign_index": CampaignIndexPage.objects.live().get(locale__language_code="en", slug="campaigns"),
        "wagtail:campaign": CampaignPage.objects.live().filter(locale__language_code="en").first(),
        "wagtail:national": NationalPage.objects.live().get(locale__language_code="en", country="FR"),
        "wagtail:national_fr": NationalPage.objects.live().get(locale__language_code="fr", country="FR"),
        "wagtail:privacy": PrivacyPage.objects.live().get(locale__language_code="en"),
    }
    signed_in = Client()
    signed_in.force_login(organiser)
    # The data-protection pages ask for the password again: give it, so they answer with themselves.
    assert signed_in.post("/en/accounts/reauthenticate/", {"password": DEMO_PASSWORD}).status_code == 302
    site = {"values": values, "pages": {name: page.get_url() for name, page in pages.items()}, "signed_in": signed_in}
    # A link from an email may keep its secret in the session for a token-free page it leads to:
    # follow each once, so that such pages answer with themselves.
    for name in PER_URL:
        assert signed_in.get(url_for(site, name)).status_code in (200, 302), name
    return site


def url_for(site, name, hostile=None):
    """The URL of a route with real path values, or with `hostile` (parameter → value) instead.
    For a Wagtail page, a hostile "path" is a segment below it."""
    if name in site["pages"]:
        url = site["pages"][name]
        return url + encoded(hostile["path"]) + "/" if hostile and "path" in hostile else url
    params = PARAMETERS[name]
    with translation.override("en"):
        url = reverse(name, kwargs={param: SENTINELS[converter] for param, converter in params})
    for param, converter in params:
        if hostile and param in hostile:
            value = encoded(hostile[param])
        else:
            value = site["values"].get(name, {}).get(param) or site["values"][param]
        url = url.replace(SENTINELS[converter], value, 1)
    return url + ("?" + REAL_QUERIES[name] if name in REAL_QUERIES else "")


def path_parameters(name):
    """A route's parameters and converters; a Wagtail page takes any path below it."""
    return (("path", "StringConverter"),) if name in WAGTAIL_PAGES else PARAMETERS[name]



# Raw query strings sent to every URL; Hypothesis makes more below.
RAW_QUERIES = [
    b"q=%ff%fe&country=%c0%80&topic=%ed%a0%80&lang=%00&next=%ff&page=%00&from=%e2%82&to=caf%e9",
    b"q=\xff\xfe\xc0\x80&lang=\xed\xa0\x80&next=\xe9&country=\x80&page=\xc3\x28",  # not even percent-encoded
    b"%ff=%ff&%00=%00&%=%%&&==&q&q=&q=%zz&%ed%a0%80",
    b"next=//evil.example/&next=javascript:alert(1)&next=%0d%0aLocation:x&page=-1&page=99999999999999999999999",
    b"from=2026-02-30&to=99999-01-01&country=XX&country=..%2F&country=%C3%89%C3%89&format=%00&past=%00&language=xx",
    b"from=0001-01-01&to=9999-12-31&q=a+%26+b+%7C+%21c%3A*&topic=%27%3B+DROP+TABLE+events_event%3B--",
    b"next=%00&next=/%00&lang=en%00&page=1%00&country=FR%00&topic=%00",
    b"q=" + b"%ff" * 5000 + b"&lang=" + b"a" * 20000,
    b"bbox=nan,nan,inf,-inf&zoom=99&near=%00,%ff&within=1e309&audience=%ff&captions=%00&step_free_access=%c0%80",
    b"bbox=-180,-90,180,90&zoom=20&near=90,180&within=1000&audience=students&audience=x&sign_language=on",
    b"bbox=" + b"9" * 5000 + b"&zoom=" + b"9" * 5000 + b"&near=" + b"-" * 5000 + b"&within=" + b"0" * 5000,
    b"bbox=180,-90,-180,90&zoom=0&near=-90,-180&within=0.1",
]


@pytest.mark.parametrize("name", ROUTE_NAMES)
def test_every_public_get_url_answers_hostile_paths_and_queries(site, client, name):
    url = url_for(site, name)
    real = site["signed_in"].get(url)
    # The real values are real: the signed-in organiser finds the page (or is sent on, or told
    # that the URL takes only POST).
    assert real.status_code in (200, 302, 405), (url, real.status_code)
    hostile_paths = [
        url_for(site, name, {param: value})
        for param, converter in path_parameters(name)
        for value in HOSTILE_PATH_VALUES[converter] + (HOSTILE_COUNTRY_CODES if param == "country" else [])
    ]
    for who in (client, site["signed_in"]):
        fresh_example()
        for query in RAW_QUERIES:
            response = get_raw(who, url, query)
            assert response.status_code < 500, (url, query[:200], response.status_code)
        for path in hostile_paths:
            response = who.get(path)
            assert response.status_code in (302, 400, 404, 405), (path[:300], response.status_code)
            if real.status_code == 405 and who is site["signed_in"]:
                # The URL takes only POST: the hostile path values are looked up then.
                response = who.post(path)
                assert response.status_code in (302, 400, 404, 405, 429), (path[:300], response.status_code)


@st.composite
def get_requests(draw):
    """A route, hostile path values for some of its parameters, and who asks."""
    name = draw(st.sampled_from(ROUTE_NAMES))
    hostile = {}
    for param, converter in path_parameters(name):
        if draw(st.booleans()):
            hostile[param] = draw(hostile_path_value(converter, param))
    return name, hostile, draw(st.booleans())


QUERY_KEYS = ["country", "topic", "format", "language", "from", "to", "q", "page", "past", "lang", "period", "month",
              "sort", "next", "status", "older_than", "email", "token", "uid", "action", "bbox", "zoom", "near",
              "within", "audience", "step_free_access", "sign_language", "captions", "cursor", "limit",
              "updated_since"]
QUERY_VALUES = HOSTILE_TEXT


@RELAXED
@given(route=get_requests(), params=st.dictionaries(st.sampled_from(QUERY_KEYS), QUERY_VALUES | st.lists(
    QUERY_VALUES, min_size=2, max_size=3), max_size=6))
def test_hostile_query_strings_never_fail(site, client, route, params):
    fresh_example()
    name, hostile, signed_in = route
    url = url_for(site, name, hostile)
    response = (site["signed_in"] if signed_in else client).get(url, params)
    observe(f"status {response.status_code}")
    assert response.status_code < 500, (url[:300], params, response.status_code)


HEADER_VALUES = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=200) | st.sampled_from(
    ["*", "xx-YY;q=2", "en;q=NaN", "de-DE-u-co-phonebk" * 30, 'W/"x", "y"', "Mon, 99 Foo 2026 99:99:99 GMT"])


@RELAXED
@given(route=get_requests(), pairs=st.lists(st.tuples(
    st.sampled_from([key.encode() for key in QUERY_KEYS]) | BAD_BYTES,
    HOSTILE.map(lambda value: value if isinstance(value, bytes) else value.encode()),
    st.booleans()), max_size=6),
    headers=st.dictionaries(st.sampled_from(["HTTP_ACCEPT_LANGUAGE", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE",
                                             "HTTP_REFERER", "HTTP_X_FORWARDED_FOR"]), HEADER_VALUES, max_size=3))
def test_raw_query_strings_that_are_not_utf8_never_fail(site, client, route, pairs, headers):
    fresh_example()
    name, hostile, signed_in = route
    url = url_for(site, name, hostile)
    # Percent-encoded, or raw as a client that does not encode sends it (never a space, `#` or a
    # line break, which the HTTP request line cannot carry).
    query = b"&".join(
        key + b"=" + (quote_from_bytes(value, safe="").encode() if percent else
                      bytes(byte for byte in value if byte > 0x20 and byte not in b"#\x7f"))
        for key, value, percent in pairs)
    response = get_raw(site["signed_in"] if signed_in else client, url, query, **headers)
    observe(f"status {response.status_code}")
    assert response.status_code < 500, (url[:300], query[:300], headers, response.status_code)


# --- Signed links: hostile tokens ------------------------------------------------------------

@RELAXED
@given(token=hostile_path_value("StringConverter", "token"))
def test_tokens_never_fail(client, token):
    fresh_example()
    for kind in ("confirm", "cancel"):
        path = f"/en/registrations/{kind}/{encoded(token)}/"
        assert client.get(path).status_code in (400, 404)
        assert client.post(path).status_code in (400, 404)
    assert client.get(f"/feeds/me/{encoded(token)}.ics").status_code == 404
