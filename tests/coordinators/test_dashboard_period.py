"""The dashboards' default period: the Year's dates when EYOS_YEAR gives them, else every date
(not the calendar year, which left out most of a country's events); and the waiting time worded as
on the admin home panel."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from coordinators import dashboard
from events.models import Event
from tests import factories

pytestmark = pytest.mark.django_db


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
