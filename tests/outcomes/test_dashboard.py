"""The outcome dashboard: reported figures per country, share of ended events reported, per
million inhabitants, by ecosystem and partnership, CSV; a coordinator sees their countries only."""

import csv
import io

import pytest
from django.utils import timezone

from outcomes import selectors
from outcomes.models import OutcomeReport
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def reports(db):
    def report(country, participants, **fields):
        event = factories.published_event(factories.organisation(country), days=-3)
        return OutcomeReport.objects.create(event=event, participants=participants, **fields)

    # Malta: 563,443 inhabitants in population.csv
    report("MT", 1000, women=600, men=400, people_trained=800, skills_validated=100, employers_involved=5,
           ecosystem="digital", partnership_kind="lsp", partnership_code="LSP-DIGI")
    factories.published_event(factories.organisation("MT"), days=-3)  # ended, not reported
    report("LU", 50, ecosystem="tourism")
    return report


def test_population_has_every_participating_country(settings):
    assert set(settings.EYOS_COUNTRIES) <= set(selectors.population())


def test_country_figures_share_and_per_million(reports):
    from events.models import Event

    rows = {row["country"]: row for row in selectors.outcome_by_country(Event.objects.filter(country="MT"))}
    malta = rows["MT"]
    assert malta["participants"] == 1000 and malta["reported"] == 1 and malta["women"] == 600
    assert malta["ended"] >= 2 and malta["share_reported"] == round(100 / malta["ended"])
    assert malta["per_million"] == round(1000 * 1_000_000 / 563443, 1)


def test_coordinator_sees_their_country_only(client, reports, django_assert_num_queries):
    client.force_login(factories.coordinator("MT"))
    client.get("/admin/outcomes/")
    # three of ours (by country, by ecosystem, by partnership) and the admin's seven (session, user,
    # profile, locales, page and collection permissions, explorer); the permission names and the
    # countries come from the people cache
    with django_assert_num_queries(10):
        page = client.get("/admin/outcomes/")
    html = page.content.decode()
    assert page.status_code == 200 and "Malta" in html and "Luxembourg" not in html
    assert "Digital" in html and "Large-scale Skills Partnership" in html and "Tourism" not in html
    assert client.get("/admin/outcomes/?country=LU").status_code == 404
    assert client.get("/admin/outcomes/countries.csv?country=LU").status_code == 404


def test_eu_team_sees_every_country_and_the_total(client, reports, users):
    client.force_login(users["admin"])
    html = client.get("/admin/outcomes/").content.decode()
    assert "Malta" in html and "Luxembourg" in html and "All countries" in html


def read_csv(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_csv(client, reports):
    client.force_login(factories.coordinator("MT"))
    response = client.get("/admin/outcomes/countries.csv")
    rows = read_csv(response)
    assert rows[0][0] == "Country" and rows[1][0] == "Malta" and rows[1][3] == "1000" and rows[0][3] == "Participants"
    ecosystems = read_csv(client.get("/admin/outcomes/ecosystems.csv"))
    assert ecosystems[1][:3] == ["Digital", "1", "1000"]
    assert client.get("/admin/outcomes/other.csv").status_code == 404


def test_organisers_and_citizens_are_refused(client, reports):
    client.force_login(factories.user())
    assert client.get("/admin/outcomes/").status_code in (302, 403)
    assert client.get("/admin/outcomes/countries.csv").status_code in (302, 403)


def test_later_events_do_not_count_as_ended(reports):
    from events.models import Event

    factories.published_event(factories.organisation("MT"), days=5)
    rows = selectors.outcome_by_country(Event.objects.filter(country="MT", end__gt=timezone.now()))
    assert rows == []
