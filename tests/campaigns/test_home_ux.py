"""The home page: what it says of the Year comes from the Year's dates (settings.EYOS_YEAR), not
from a year written in the content; a search in the hero that leads to the event list; the
privacy notice in the footer, not among the sections."""

from datetime import UTC, datetime

import pytest
from django.core.cache import cache
from django.utils import translation

from campaigns.year import year_status

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def status(settings, year, now):
    settings.EYOS_YEAR = year
    with translation.override("en"):
        return year_status(datetime(*now, tzinfo=UTC))


@pytest.mark.parametrize("now, phase, text", [
    ((2026, 5, 8, 12), "before", "The European Year of Skills starts on 9 May 2026 and runs until 8 May 2027."),
    ((2026, 5, 8, 22, 30), "during", "The European Year of Skills runs from 9 May 2026 to 8 May 2027."),  # Brussels: 9 May
    ((2026, 12, 5, 12), "during", "The European Year of Skills runs from 9 May 2026 to 8 May 2027."),
    ((2027, 5, 8, 21, 59), "during", "The European Year of Skills runs from 9 May 2026 to 8 May 2027."),
    ((2027, 5, 8, 22, 0), "after", "The European Year of Skills ran from 9 May 2026 to 8 May 2027."),
    ((2031, 1, 1, 12), "after", "The European Year of Skills ran from 9 May 2026 to 8 May 2027."),
])
def test_the_wording_follows_the_years_dates(settings, now, phase, text):
    found = status(settings, "2026-05-09/2027-05-08", now)
    assert (found.phase, found.text) == (phase, text)


def test_a_calendar_year_is_named_by_its_number_and_no_dates_say_nothing(settings):
    assert status(settings, "2023-01-01/2023-12-31", (2023, 6, 1)).text == "2023 is the European Year of Skills."
    assert "2023 is" not in status(settings, "2023-01-01/2023-12-31", (2024, 6, 1)).text
    for configured in ("", "nonsense", "2027-01-01/2026-01-01"):
        assert status(settings, configured, (2026, 6, 1)) is None


def test_the_home_page_shows_the_wording_for_today_and_no_fixed_year(client, settings):
    settings.EYOS_YEAR = "2020-01-01/2020-12-31"
    html = client.get("/en/").content.decode()
    assert "The European Year of Skills ran from 1 January 2020 to 31 December 2020." in html
    assert "2023 is the European Year of Skills" not in html
    settings.EYOS_YEAR = ""
    cache.clear()
    assert "The European Year of Skills ran" not in client.get("/en/").content.decode()


def test_the_hero_has_a_search_and_a_country_picker_that_go_to_the_event_list(client):
    html = client.get("/en/").content.decode()
    hero = html.split('<header class="hero">', 1)[1].split("</header>", 1)[0]
    assert '<form method="get" action="/en/events/" class="hero-search" role="search"' in hero
    assert '<label for="hero-q">' in hero and '<input type="search" name="q" id="hero-q"' in hero
    assert '<label for="hero-country">' in hero and '<option value="MT">Malta</option>' in hero
    # What it sends ("All countries" is an empty choice) is a valid list query.
    response = client.get("/en/events/?q=skills&country=")
    assert response.status_code == 200
    assert client.get("/en/events/?q=&country=MT").status_code == 200


def test_the_privacy_notice_is_in_the_footer_not_among_the_sections(client):
    html = client.get("/en/").content.decode()
    explore = html.split('id="sections-heading"', 1)[1].split("</section>", 1)[0]
    assert "Privacy notice" not in explore and "/en/privacy/" not in explore
    footer = html.split('<footer class="site-footer">', 1)[1]
    legal = footer.split('<nav class="footer-legal" aria-label="Legal">', 1)[1].split("</nav>", 1)[0]
    assert 'href="/en/privacy/"' in legal
