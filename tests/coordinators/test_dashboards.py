"""Dashboards: every figure checked against a data set built here, the CSV exports, the query
budget, the period selector, the EU view and the translation coverage matrix."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coordinators import dashboard
from events import services
from events.models import Event, Registration, Topic
from tests import factories

pytestmark = pytest.mark.django_db
S = Event.Status


def csv_rows(response):
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    return list(csv.reader(io.StringIO(body)))


@pytest.fixture
def iceland(db):
    """A known data set in Iceland (whose demo events are removed first)."""
    Event.objects.filter(country="IS").delete()
    coordinator = factories.coordinator("IS")
    reykjavik = factories.organisation("IS", name="Reykjavik Skills")
    akureyri = factories.organisation("IS", name="Akureyri Lab")
    digital = Topic.objects.get(slug="digital-skills", locale__language_code="en")
    green = Topic.objects.get(slug="green-skills", locale__language_code="en")
    now = timezone.now()

    def make(org, status, days, **fields):
        start = (now + timedelta(days=days)).replace(microsecond=0)
        return factories.event(org, status=status, start=start, end=start + timedelta(hours=2),
                               timezone="Atlantic/Reykjavik", **fields)

    full = make(reykjavik, S.PUBLISHED, 3, city="Reykjavik", capacity=2, language="en", title="Full one")
    half = make(reykjavik, S.PUBLISHED, 5, city="Reykjavik", capacity=4, language="is" if False else "en",
                title="Half one", format="hybrid", online_url="https://m.example.org/")
    past = make(akureyri, S.PUBLISHED, -3, city="Akureyri", title="Past one", language="da")
    online = make(akureyri, S.PUBLISHED, 8, city="", address="", format="online", online_url="https://m.example.org/",
                  title="Online one", language="en")
    make(akureyri, S.SUBMITTED, 10, title="Waiting one")
    make(akureyri, S.DRAFT, 12, title="Draft one")
    make(akureyri, S.REJECTED, 12, title="Rejected one")
    full.topics.add(digital)
    half.topics.add(digital, green)
    past.topics.add(green)
    # Decisions that took 1, 3 and 5 hours: the median is 3 hours.
    for event, hours in ((full, 1), (half, 3), (online, 5)):
        Event.objects.filter(pk=event.pk).update(submitted_at=now - timedelta(days=20),
                                                 decided_at=now - timedelta(days=20) + timedelta(hours=hours))
    for n in range(3):  # 2 places: 2 confirmed, 1 waiting
        services.registration_confirm(registration=services.registration_create(
            event=full, name=f"F{n}", email=f"f{n}@example.org", consent=True, language="en"))
    services.registration_confirm(registration=services.registration_create(
        event=half, name="H", email="h@example.org", consent=True, language="en"))
    cancelled = services.registration_confirm(registration=services.registration_create(
        event=half, name="C", email="c@example.org", consent=True, language="en"))
    services.registration_cancel(registration=cancelled, by_token=True)
    period = dashboard.Period((now - timedelta(days=30)).date(), (now + timedelta(days=30)).date(), "custom")
    return {"coordinator": coordinator, "period": period, "full": full, "half": half}


def test_every_figure_of_a_country(iceland):
    board = dashboard.country_dashboard(iceland["coordinator"], "IS", iceland["period"])
    assert board.status == {"draft": 1, "submitted": 1, "changes_requested": 0, "published": 4, "rejected": 1,
                            "cancelled": 0}
    assert (board.queue_size, board.upcoming, board.past) == (1, 3, 1)
    assert board.median_decision == timedelta(hours=3)
    assert dict(board.topics) == {"Digital skills": 2, "Green skills": 2}
    assert dict(board.formats) == {"On site": 2, "Hybrid": 1, "Online": 1}
    from django.conf import settings

    names = dict(settings.LANGUAGES)  # languages are named in their own language
    assert dict(board.languages) == {names["en"]: 3, names["da"]: 1}
    assert sum(n for _month, n in board.months) == 4
    assert dict(board.cities) == {"Reykjavik": 2, "Akureyri": 1}
    assert board.registrations == {"pending": 0, "confirmed": 3, "waitlisted": 1, "cancelled": 1}
    assert (board.capacity, board.confirmed_on_capacity) == (6, 3) and board.fill_percent == 50
    assert [event.title for event in board.fullest] == ["Full one", "Half one"]
    assert dict(board.organisations) == {"Akureyri Lab": 2, "Reykjavik Skills": 2}


def test_the_page_and_its_csv_exports_show_the_same_figures(client, iceland):
    client.force_login(iceland["coordinator"])
    query = "?" + "&".join(f"{k}={v}" for k, v in iceland["period"].as_params().items())
    html = client.get("/admin/coordinators/dashboard/IS/" + query).content.decode()
    assert "Median time to decision" in html
    assert "3 hours" in html
    assert "50 %" in html
    assert csv_rows(client.get("/admin/coordinators/dashboard/IS/cities.csv" + query))[1:] == [
        ["Reykjavik", "2"], ["Akureyri", "1"]]
    assert csv_rows(client.get("/admin/coordinators/dashboard/IS/fullest.csv" + query))[1:] == [
        ["Full one", "2", "2"], ["Half one", "1", "4"]]
    events = csv_rows(client.get("/admin/coordinators/dashboard/IS/events.csv" + query))
    by_title = {row[0]: row for row in events[1:]}
    assert len(by_title) == 7 and by_title["Full one"][-3:] == ["2", "2", "1"]
    assert client.get("/admin/coordinators/dashboard/IS/nonsense.csv" + query).status_code == 404


@pytest.mark.parametrize("query", ["?period=month&month=2026-13", "?period=custom&from=2027-01-01&to=2026-01-01",
                                   "?period=custom&from=x", "?period=decade", "?period=month&month=99999-01"])
def test_bad_periods_are_a_clear_400(client, iceland, query):
    client.force_login(iceland["coordinator"])
    assert client.get("/admin/coordinators/dashboard/IS/" + query).status_code == 400


def test_a_month_period(iceland):
    now = timezone.now()
    period = dashboard.parse_period({"period": "month", "month": now.strftime("%Y-%m")})
    assert period.start.day == 1 and period.start.month == now.month


def test_query_budget_is_fixed_11_queries(client, iceland):
    period = iceland["period"]
    dashboard.country_dashboard(iceland["coordinator"], "IS", period)  # the user's countries are cached after this
    with CaptureQueriesContext(connection) as small:
        dashboard.country_dashboard(iceland["coordinator"], "IS", period, use_cache=False)
    org = factories.organisation("IS")
    for n in range(40):
        event = factories.published_event(org, days=4, capacity=3, city=f"Town {n % 7}")
        services.registration_create(event=event, name="x", email=f"x{n}@example.org", consent=True, language="en")
    # The new organisation changed the labels: the topics' names are read once more (one query,
    # then cached until a topic or an organisation changes again), whatever the number of events.
    with CaptureQueriesContext(connection) as after_labels_changed:
        dashboard.country_dashboard(iceland["coordinator"], "IS", period, use_cache=False)
    with CaptureQueriesContext(connection) as large:
        dashboard.country_dashboard(iceland["coordinator"], "IS", period, use_cache=False)
    assert len(small) == len(large) == 11
    assert len(after_labels_changed) == 12
    client.force_login(iceland["coordinator"])
    url = "/admin/coordinators/dashboard/IS/?" + "&".join(f"{k}={v}" for k, v in period.as_params().items())
    client.get(url)  # the user's rights are read once, then kept (tests/eyos/test_cached_rights.py)
    factories.published_event(org, days=6)  # a change: the next page computes afresh
    with CaptureQueriesContext(connection) as page:
        client.get(url)
    factories.published_event(org, days=6)
    with CaptureQueriesContext(connection) as page_again:
        client.get(url)
    assert len(page) == len(page_again)
    with CaptureQueriesContext(connection) as cached:
        client.get(url)
    assert len(cached) <= len(page) - 11  # unchanged data: the figures come from the cache


def test_cached_figures_change_as_soon_as_the_data_does(iceland):
    period = iceland["period"]
    before = dashboard.country_dashboard(iceland["coordinator"], "IS", period)
    factories.published_event(factories.organisation("IS"), days=2, city="Húsavík")
    after = dashboard.country_dashboard(iceland["coordinator"], "IS", period)
    assert after.status["published"] == before.status["published"] + 1
    assert ("Húsavík", 1) in after.cities


def test_eu_dashboard_side_by_side_with_attention(client, iceland, users, settings):
    settings.EYOS_ESCALATION_DAYS = 5
    client.force_login(users["admin"])
    response = client.get("/admin/coordinators/dashboard/eu/?period=custom&from={}&to={}".format(
        iceland["period"].start, iceland["period"].end))
    rows = {row.country: row for row in response.context["rows"]}
    assert len(rows) == len(settings.EYOS_COUNTRIES)
    assert (rows["IS"].events, rows["IS"].published, rows["IS"].submitted, rows["IS"].confirmed, rows["IS"].waitlisted,
            rows["IS"].coordinators) == (7, 4, 1, 3, 1, 1)
    attention = {row.country for row in response.context["attention"]}
    assert "AL" in attention  # the demo has no coordinator for Albania
    sorted_rows = client.get("/admin/coordinators/dashboard/eu/?sort=published").context["rows"]
    assert [r.published for r in sorted_rows] == sorted((r.published for r in sorted_rows), reverse=True)
    table = csv_rows(client.get("/admin/coordinators/dashboard/eu/countries.csv"))
    assert len(table) == len(settings.EYOS_COUNTRIES) + 1


def test_coordinators_see_only_their_countries(client, iceland, users):
    client.force_login(iceland["coordinator"])
    assert client.get("/admin/coordinators/dashboard/DE/").status_code == 404
    assert client.get("/admin/coordinators/dashboard/DE/events.csv").status_code == 404
    assert client.get("/admin/coordinators/dashboard/eu/").status_code in (302, 403)
    assert client.get("/admin/coordinators/dashboard/").url.endswith("/dashboard/IS/")
    client.force_login(users["admin"])
    assert client.get("/admin/coordinators/dashboard/IS/").status_code == 200


def test_home_panel_shows_key_figures_and_links(client, iceland):
    client.force_login(iceland["coordinator"])
    html = client.get("/admin/").content.decode()
    assert 'href="/admin/coordinators/dashboard/IS/"' in html and "Iceland" in html


def test_coverage_matrix(client, users):
    client.force_login(users["coordinator-fr"])
    matrix = client.get("/admin/coordinators/coverage/").context["matrix"]
    assert matrix and all("France" in row.title or "Frankreich" in row.title or row.cells for row in matrix)
    assert len(matrix) == 1  # France's national page, in each language that has it
    row = matrix[0]
    assert row.cells["en"] == "live" and row.missing == 24 - len(row.cells)
    client.force_login(users["admin"])
    everything = client.get("/admin/coordinators/coverage/").context["matrix"]
    assert len(everything) > 10


def test_topics_are_counted_from_the_links_in_the_default_language(iceland):
    """The topic chart reads the events' topic_key (kept from their links): a link added or
    removed shows at once, and a link to a topic in another language counts as before (not at
    all), however the keys are grouped."""
    period = iceland["period"]
    digital_fr = Topic.objects.get(slug="digital-skills", locale__language_code="fr")
    care = Topic.objects.get(slug="green-skills", locale__language_code="en")
    org = factories.organisation("IS")
    linked = factories.published_event(org, days=2)
    linked.topics.add(digital_fr)
    assert dict(dashboard.country_dashboard(iceland["coordinator"], "IS", period).topics) == {
        "Digital skills": 2, "Green skills": 2}
    linked.topics.add(care)
    iceland["half"].topics.remove(care)
    board = dashboard.country_dashboard(iceland["coordinator"], "IS", period)
    assert board.topics == [("Digital skills", 2), ("Green skills", 2)]  # a tie: by slug
    iceland["full"].topics.clear()
    assert dashboard.country_dashboard(iceland["coordinator"], "IS", period).topics == [
        ("Green skills", 2), ("Digital skills", 1)]


def test_the_fullest_are_the_fullest_of_all_upcoming_events_in_order(iceland):
    """The ten fullest upcoming events with limited places, out of more than ten, by share of
    places taken (then start), with their confirmed count; past ones and those without a limit
    left out. The expected order is computed here from the registrations."""
    org = factories.organisation("IS")
    made = []
    for n in range(14):
        event = factories.published_event(org, capacity=[5, 8, 3, 10][n % 4], days=2 + n)
        for k in range(n % 5):
            services.registration_confirm(registration=services.registration_create(
                event=event, name="R", email=f"r{n}-{k}@example.org", consent=True, language="en"))
        made.append(event)
    factories.published_event(org, capacity=None, days=3)  # no limit: never listed
    board = dashboard.country_dashboard(iceland["coordinator"], "IS", iceland["period"])
    candidates = made + [iceland["full"], iceland["half"]]
    confirmed = {event.pk: Registration.objects.filter(event=event, status="confirmed").count() for event in candidates}
    expected = sorted(candidates, key=lambda e: (-(confirmed[e.pk] * 1000 // e.capacity), e.start, e.pk))[:10]
    assert [(e.pk, e.confirmed) for e in board.fullest] == [(e.pk, confirmed[e.pk]) for e in expected]
    assert len({confirmed[e.pk] * 1000 // e.capacity for e in expected}) > 3  # not a trivial order


def test_while_another_process_computes_the_figures_the_page_shows_the_last_ones_and_keeps_nothing(client, iceland):
    """After a change, the process that computes the figures again holds the right to; a page
    drawn meanwhile shows the figures being replaced (not computed a second time at once), and
    neither that page nor those figures are kept: the next page after the computation shows the
    new ones. The CSV exports never wait on another process: they compute."""
    from django.core.cache import cache

    from events.cache import _digest

    period = iceland["period"]
    query = "?" + "&".join(f"{k}={v}" for k, v in period.as_params().items())
    url = "/admin/coordinators/dashboard/IS/" + query
    client.force_login(iceland["coordinator"])
    client.get("/admin/")  # the CSRF cookie: the page's copies are kept per user and secret
    assert "<dd>7</dd>" in client.get(url).content.decode()  # 7 events in the period
    factories.published_event(factories.organisation("IS"), days=2, city="Húsavík")  # a change
    computing = f"eyos:computing:{_digest(dashboard.board_parts('IS', period))}"
    assert cache.add(computing, 1, timeout=30)  # another process computes the new figures
    with CaptureQueriesContext(connection) as queries:
        stale = client.get(url).content.decode()
    assert "Húsavík" not in stale and "<dd>7</dd>" in stale
    assert not any("COUNT" in query["sql"] for query in queries.captured_queries)  # nothing computed
    assert ["Húsavík", "1"] in csv_rows(client.get("/admin/coordinators/dashboard/IS/cities.csv" + query))
    cache.delete(computing)  # done: the page drawn meanwhile was not kept
    fresh = client.get(url).content.decode()
    assert "Húsavík" in fresh and "<dd>8</dd>" in fresh
