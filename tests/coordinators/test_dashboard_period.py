"""The dashboards' period: by default the Year's dates when EYOS_YEAR gives them, else every date
(not the calendar year, which left out most of a country's events); an invalid period shows the
dashboard with the error on the form; and the waiting time worded as on the admin home panel."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from coordinators import dashboard
from events.models import Event
from tests import factories
from tests.pages import page

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(users):
    """The demo accounts, reading the admin in English (factories.in_english)."""
    return factories.in_english(users)


@pytest.fixture
def france(db):
    org = factories.organisation("FR")
    for year in (2030, 2031, 2032):
        start = datetime(year, 3, 1, 10, tzinfo=UTC)
        factories.published_event(org, start=start, end=start + timedelta(hours=2), title=f"Event {year}")
    return factories.coordinator("FR")


def test_without_the_years_dates_the_dashboard_counts_every_date(client, france, settings):
    settings.EYOS_YEAR = ""
    client.force_login(france)
    response = client.get("/admin/coordinators/dashboard/FR/")
    assert response.context["period"] == dashboard.ALL_DATES
    assert response.context["board"].total == Event.objects.filter(country="FR").count() >= 3
    html = response.content.decode()
    assert 'value="all" checked' in html and "Events of every date." in html


def test_with_the_years_dates_the_dashboard_defaults_to_the_year(client, france, settings):
    settings.EYOS_YEAR = "2031-01-01/2031-12-31"
    client.force_login(france)
    response = client.get("/admin/coordinators/dashboard/FR/")
    assert response.context["period"].start == date(2031, 1, 1)
    assert response.context["board"].total == 1
    every_date = client.get("/admin/coordinators/dashboard/FR/?period=all").context["board"].total
    assert every_date == Event.objects.filter(country="FR").count() >= 3


def test_all_dates_round_trips_through_the_query_string():
    assert dashboard.parse_period(dashboard.ALL_DATES.as_params()) == dashboard.ALL_DATES


# An invalid period ------------------------------------------------------------------------------


def is_admin_page(html):
    return 'id="wagtail-sidebar"' in html  # the admin's navigation


@pytest.mark.parametrize("query, fields", [
    ({"period": "custom", "from": "2027-02-01", "to": "2027-01-01"}, {"from", "to"}),
    ({"period": "custom", "from": "2027-01-01"}, {"to"}),
    ({"period": "month", "month": "2026-13"}, {"month"}),
])
def test_an_invalid_period_shows_the_dashboard_with_the_error_on_the_form(client, users, query, fields):
    client.force_login(users["coordinator-fr"])
    response = client.get("/admin/coordinators/dashboard/FR/", query)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    html = page(response)
    assert is_admin_page(html)
    assert "Choose a valid period" in html and 'id="period-error"' in html
    assert response.context["period"] == dashboard.the_year()
    assert response.context["board"].period == dashboard.the_year()  # figures for the default period
    assert "Key figures" in html
    for name in ("month", "from", "to"):
        tag = re.search(rf'<input type="(?:date|month)" id="id_{name}"[^>]*>', html).group(0)
        assert ('aria-invalid="true"' in tag) == (name in fields), (name, tag)
    if "to" in fields and "to" not in query:
        assert 'id="id_to" name="to" value=""' in html  # the missing date is shown missing
    if "from" in query:
        assert f'value="{query["from"]}"' in html  # what was asked for stays in the form


def test_an_invalid_period_on_the_eu_dashboard(client, users):
    client.force_login(users["admin"])
    response = client.get("/admin/coordinators/dashboard/eu/", {"period": "decade"})
    assert response.status_code == 400 and is_admin_page(page(response))
    assert 'id="period-error"' in page(response) and response.context["period"] == dashboard.the_year()


def test_a_valid_period_has_no_error():
    with pytest.raises(dashboard.InvalidPeriod) as error:
        dashboard.parse_period({"period": "custom", "to": "2027-01-01"})
    assert error.value.fields == ("from",)
    assert dashboard.parse_period({"period": "custom", "from": "2027-01-01", "to": "2027-01-01"}).kind == "custom"


def test_a_valid_dashboard_page_shows_no_error(client, users):
    client.force_login(users["coordinator-fr"])
    response = client.get("/admin/coordinators/dashboard/FR/", {"period": "month", "month": "2027-01"})
    assert response.status_code == 200
    html = page(response)
    assert "period-error" not in html and "aria-invalid" not in html and 'value="2027-01"' in html


# The waiting time -------------------------------------------------------------------------------


def test_home_panel_and_dashboard_word_the_waiting_time_alike(client, settings):
    settings.EYOS_YEAR = ""
    org = factories.organisation("FR")
    event = factories.event(org, status=Event.Status.SUBMITTED)
    Event.objects.filter(pk=event.pk).update(submitted_at=timezone.now() - timedelta(days=3, hours=4))
    client.force_login(factories.coordinator("FR"))
    board = client.get("/admin/coordinators/dashboard/FR/").content.decode()
    home = client.get("/admin/").content.decode()
    # The demo data may hold older submissions in France: whatever the oldest, the same words.
    oldest = re.search(r"oldest \d+ days?", home).group(0)
    assert oldest in board
    assert not re.search(r"oldest: \d+ days?, \d+ hours?", board)
