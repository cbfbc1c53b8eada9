"""The permission matrix for views. Every URL under /admin/coordinators/ and every public organiser
URL that takes an event or an organisation is discovered from the URLconf, so a new view is
covered without editing this test. The French coordinator and a French organiser try a German
event or organisation (and the reverse), with GET and POST; each try is answered 403 or 404 (or
sent to sign in) and changes nothing."""

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import translation
from wagtail.models import ModelLogEntry

from events.models import Event, Organisation
from partnerfeeds.models import PartnerFeed
from tests import factories
from tests.urlconf import named_urls

pytestmark = pytest.mark.django_db
S = Event.Status

NAMESPACES = {"coordinators", "organise"}
# URL parameters that name an object of one country, and what to put in them.
OBJECT_PARAMETERS = {"uid": "event", "org_slug": "organisation", "country": "country", "feed_id": "feed"}
# Parameters that name no object of a country, with a value that exists.
PLAIN_PARAMETERS = {"token": "x", "table": "topics"}


def discover():
    """(namespace:name, parameter names) for every named URL in the watched namespaces."""
    for namespace, name, pattern in named_urls():
        if namespace in NAMESPACES:
            yield f"{namespace}:{name}", tuple(pattern.converters)


ROUTES = sorted(set(discover()))
OBJECT_ROUTES = [(name, params) for name, params in ROUTES if set(params) & set(OBJECT_PARAMETERS)]


def test_discovery_finds_the_views():
    names = {name for name, _params in OBJECT_ROUTES}
    assert {"coordinators:review", "coordinators:approve", "coordinators:reject", "coordinators:request_changes",
            "coordinators:event_edit", "coordinators:event_cancel", "organise:event", "organise:event_edit",
            "organise:event_submit", "organise:event_cancel", "organise:organisation",
            "organise:organisation_renew_invite", "coordinators:dashboard", "coordinators:dashboard_csv",
            "coordinators:feed", "coordinators:feed_fetch", "coordinators:feed_delete"} <= names
    # Anything else in these namespaces takes no object of a country (lists, create forms,
    # invitation tokens); a new parameter kind must be added above.
    for name, params in ROUTES:
        assert set(params) <= set(OBJECT_PARAMETERS) | set(PLAIN_PARAMETERS), name


@pytest.fixture
def sides(db):
    sides = {}
    for country in ("FR", "DE"):
        member = factories.user()
        org = factories.organisation(country, members=[member])
        sides[country] = {
            "coordinator": factories.coordinator(country),
            "organiser": member,
            "org": org,
            "events": {status: factories.event(org, status=status) for status in S.values},
            "feed": PartnerFeed.objects.create(name=f"Feed {country}", url=f"https://{country.lower()}.example/f.ics",
                                               country=country, organisation=org, language="en"),
        }
    return sides


HOSTILE_POST = {
    "comment": "hijack", "reason": "other", "note": "hijack", "message": "hijack", "title": "Hijacked",
    "summary": "x", "start": "2031-01-01T10:00", "end": "2031-01-01T12:00", "timezone": "Europe/Paris",
    "format": "online", "online_url": "https://evil.example/", "language": "en", "target_audience": "everyone",
    "registration_mode": "none",
}


def snapshot(side):
    events = {pk: model_to_dict(Event.objects.get(pk=pk)) for pk in (e.pk for e in side["events"].values())}
    org = Organisation.objects.get(pk=side["org"].pk)
    feeds = [model_to_dict(feed) for feed in PartnerFeed.objects.filter(country=side["org"].country).order_by("pk")]
    return events, model_to_dict(org), feeds, ModelLogEntry.objects.count()


def refused(response):
    """403, 404, 405 for a GET of a POST-only action, or - for someone without admin access at
    all - Wagtail's redirect to sign in."""
    if response.status_code == 302:
        return "/accounts/login/" in response["Location"]
    return response.status_code in (403, 404, 405)


@pytest.mark.parametrize("name, params", OBJECT_ROUTES, ids=[name for name, _ in OBJECT_ROUTES])
@pytest.mark.parametrize("role", ["coordinator", "organiser"])
@pytest.mark.parametrize("mine, theirs", [("FR", "DE"), ("DE", "FR")])
def test_other_countrys_objects_are_not_found_and_unchanged(client, sides, name, params, role, mine, theirs):
    client.force_login(sides[mine][role])
    before = snapshot(sides[theirs])
    for status, event in sides[theirs]["events"].items():
        kwargs = {}
        for param in params:
            kwargs[param] = {"event": event.uid, "organisation": sides[theirs]["org"].slug, "country": theirs,
                             "feed": sides[theirs]["feed"].pk}.get(
                OBJECT_PARAMETERS.get(param), PLAIN_PARAMETERS.get(param))
        with translation.override("en"):
            url = reverse(name, kwargs=kwargs)
        for method in (client.get, client.post):
            response = method(url, HOSTILE_POST) if method == client.post else method(url)
            # The invitation page of an organisation without its invitation in the session: the
            # "link does not work" page (it is not a country's object; the token decides).
            token_page = name in TOKEN_PAGES and response.status_code == 400
            assert refused(response) or token_page, (url, status, response.status_code)
    assert snapshot(sides[theirs]) == before


COORDINATOR_ROUTES = [(name, params) for name, params in ROUTES if name.startswith("coordinators:")]


@pytest.mark.parametrize("name, params", COORDINATOR_ROUTES, ids=[name for name, _ in COORDINATOR_ROUTES])
def test_coordinator_views_refuse_people_who_are_not_coordinators(client, sides, name, params):
    client.force_login(sides["FR"]["organiser"])
    kwargs = {param: {"uid": sides["FR"]["events"][S.SUBMITTED].uid, "country": "FR",
                      "feed_id": sides["FR"]["feed"].pk}.get(param, PLAIN_PARAMETERS.get(param))
              for param in params}
    response = client.get(reverse(name, kwargs=kwargs))
    # Wagtail sends people without admin access to sign in; with access but no country, 403.
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "/accounts/login/" in response["Location"]


# Links from emails that only check their token and redirect to a page that needs signing in (so
# the token never reaches the sign-in URL); a bad token gets the "link does not work" page.
TOKEN_LINKS = {"organise:join"}
TOKEN_PAGES = {"organise:join_page"}
SIGNED_IN_ROUTES = [(name, params) for name, params in ROUTES if name not in TOKEN_LINKS]


def test_token_links_refuse_bad_tokens_and_send_good_ones_on_without_them(client, sides):
    response = client.get(reverse("organise:join", kwargs={"token": "x"}))
    assert response.status_code == 400 and response["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("name, params", SIGNED_IN_ROUTES, ids=[name for name, _ in SIGNED_IN_ROUTES])
def test_anonymous_visitors_are_sent_to_sign_in(client, sides, name, params):
    kwargs = {}
    for param in params:
        kwargs[param] = {"uid": sides["FR"]["events"][S.DRAFT].uid, "org_slug": sides["FR"]["org"].slug,
                         "country": "FR", "feed_id": sides["FR"]["feed"].pk, **PLAIN_PARAMETERS}[param]
    with translation.override("en"):
        url = reverse(name, kwargs=kwargs)
    before = snapshot(sides["FR"])
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    assert snapshot(sides["FR"]) == before
