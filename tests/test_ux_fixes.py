"""Fixes for what a usability test found: a cancelled event's page, tables on small screens, English
dates, time zones on event cards, an invalid dashboard period, the review page's errors and the
SITE_URL of `make run`."""

import os
import re
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.contrib.staticfiles import finders
from django.utils import formats, timezone, translation

from coordinators import dashboard
from events import services
from events.models import Event
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(users):
    """The demo accounts, reading the admin in English: the admin speaks each user's preferred
    language (the French coordinator's is French), and these checks read the English wording."""
    for user in users.values():
        if user.preferred_language != "en":
            user.preferred_language = "en"
            user.save(update_fields=["preferred_language"])
    return users
S = Event.Status


def page(response):
    return response.content.decode()


# 1. A cancelled event's page -------------------------------------------------------------------


def hybrid_event(**fields):
    return factories.published_event(
        factories.organisation("FR"), capacity=20, format="hybrid", online_url="https://meet.example.org/room-42",
        **fields,
    )


def test_a_cancelled_event_shows_no_places_online_note_or_calendar_links(client, users):
    event = hybrid_event()
    before = page(client.get(f"/en/events/{event.uid}/"))
    assert "Places left" in before and "20 / 20" in before
    assert "the link is in your confirmation email" in before
    assert "Add to my calendar (.ics)" in before and "calendar.google.com" in before and "outlook.live.com" in before

    services.event_cancel(user=users["coordinator-fr"], event=event, message="The room is flooded.")
    response = client.get(f"/en/events/{event.uid}/")
    assert response.status_code == 200
    after = page(response)
    assert "This event is cancelled." in after and "The room is flooded." in after
    assert "Places left" not in after and "20 / 20" not in after
    assert "the link is in your confirmation email" not in after
    assert "https://meet.example.org/room-42" not in after
    assert "Add to my calendar (.ics)" not in after and "Add to Google Calendar" not in after
    assert "Add to Outlook" not in after
    assert "calendar.google.com" not in after and "outlook.live.com" not in after
    # The event's own .ics still tells calendars that already hold it.
    ics = client.get(f"/feeds/events/{event.uid}.ics")
    assert ics.status_code == 200 and b"STATUS:CANCELLED" in ics.content


def test_a_cancelled_event_with_open_registration_elsewhere_shows_no_join_link(client, users):
    event = hybrid_event(registration_mode="none")
    assert "https://meet.example.org/room-42" in page(client.get(f"/en/events/{event.uid}/"))
    event.status = S.CANCELLED
    event.save(update_fields=["status"])  # a save, as services make: its signal refreshes cached pages
    after = page(client.get(f"/en/events/{event.uid}/"))
    assert "https://meet.example.org/room-42" not in after and "This event is cancelled." in after


# 2. Tables do not widen the page ---------------------------------------------------------------


def css(path):
    found = finders.find(path)
    assert found, path
    return re.sub(r"/\*.*?\*/", "", Path(found).read_text(), flags=re.S)


def rules(text):
    """(selector, declarations, enclosing @media or "") for each rule of a simple stylesheet."""
    result = []
    for media, body in re.findall(r"@media([^{]*)\{((?:[^{}]*\{[^{}]*\})*)\s*\}", text):
        result += [(sel.strip(), decl, media.strip()) for sel, decl in re.findall(r"([^{}]+)\{([^{}]*)\}", body)]
    outside = re.sub(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*\s*\}", "", text)
    result += [(sel.strip(), decl, "") for sel, decl in re.findall(r"([^{}]+)\{([^{}]*)\}", outside)]
    return result


def declarations(text, selector_part):
    return [(decl.replace(" ", ""), media) for sel, decl, media in rules(text)
            if any(part.strip() == selector_part for part in sel.split(","))]


def test_table_cells_wrap_long_words_and_wide_tables_scroll_by_themselves():
    site = css("css/site.css")
    cells = declarations(site, "main td")
    assert any("overflow-wrap:anywhere" in decl for decl, _media in cells)
    tables = declarations(site, "main table")
    assert any("display:block" in decl and "overflow-x:auto" in decl and "max-width:100%" in decl
               for decl, _media in tables)


def test_the_registrants_table_holds_a_150_character_name(client, users):
    organiser = users["organiser"]
    event = factories.published_event(organiser.organisations.first(), capacity=5)
    long_name = "W" * 150
    services.registration_create(event=event, name=long_name, email="long@example.org", consent=True, language="en")
    client.force_login(organiser)
    html = page(client.get(f"/en/organise/events/{event.uid}/registrants/"))
    assert long_name in html
    # The table sits in <main>, where the stylesheet's table rules apply, and no inline style
    # (forbidden by the CSP) is needed.
    main = html[html.index("<main"):html.index("</main>")]
    assert '<table class="data-table">' in main and long_name in main
    assert " style=" not in html


def test_the_organisers_events_table_is_in_main_on_the_german_page(client, users):
    client.force_login(users["organiser"])
    html = page(client.get("/de/organise/"))
    main = html[html.index("<main"):html.index("</main>")]
    assert "<table" in main and " style=" not in html


# 3. English dates the European way -------------------------------------------------------------


def test_english_dates_are_day_month_and_24_hours():
    moment = datetime(2027, 3, 10, 18, 0)
    with translation.override("en"):
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "10/03/2027 18:00"
        assert formats.date_format(moment, "DATETIME_FORMAT") == "10 March 2027, 18:00"
        assert formats.date_format(date(2027, 1, 22), "DATE_FORMAT") == "22 January 2027"
        assert formats.date_format(date(2027, 1, 22), "SHORT_DATE_FORMAT") == "22/01/2027"
        assert formats.time_format(moment.time(), "TIME_FORMAT") == "18:00"
        assert formats.get_format("FIRST_DAY_OF_WEEK") == 1
        assert formats.get_format("DATE_INPUT_FORMATS")[0] == "%Y-%m-%d"
        assert formats.get_format("DATETIME_INPUT_FORMATS")[0].startswith("%Y-%m-%d")
        assert "%m/%d/%Y" not in formats.get_format("DATE_INPUT_FORMATS")
        assert forms.DateField().clean("10/03/2027") == date(2027, 3, 10)
        assert forms.DateField().clean("2027-03-10") == date(2027, 3, 10)
    with translation.override("de"):  # other languages keep Django's own formats
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "10.03.2027 18:00"


def next_year():
    return timezone.now().year + 1


def test_the_english_event_page_shows_european_dates(client):
    start = datetime(next_year(), 3, 10, 18, 0, tzinfo=ZoneInfo("Europe/Paris"))
    event = factories.published_event(factories.organisation("FR"), start=start, end=start.replace(hour=20))
    html = page(client.get(f"/en/events/{event.uid}/"))
    assert f"10 March {start.year}, 18:00" in html and "p.m." not in html


# 4. Event cards name the time zone -------------------------------------------------------------


def test_event_cards_show_the_time_zone(client):
    start = datetime(next_year(), 1, 22, 18, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
    factories.published_event(
        factories.organisation("FI"), start=start, end=start.replace(hour=20), timezone="Europe/Helsinki",
        format="online", city="", address="", online_url="https://meet.example.org/fi", title="Zonecheck webinar",
    )
    html = page(client.get("/en/events/", {"q": "Zonecheck"}))
    card = html[html.index("Zonecheck webinar"):]
    card = card[:card.index("</li>")]
    zone = start.tzname()  # EET
    assert f"22 January {start.year}, 18:00" in card
    assert f'<abbr class="event-zone" title="Europe/Helsinki">{zone}</abbr>' in card


# 5. An invalid dashboard period ----------------------------------------------------------------


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


# 6. The review page's error summary ------------------------------------------------------------


def submitted_event():
    return factories.event(factories.organisation("FR"), status=S.SUBMITTED)


def summary_of(html):
    main_start = html.index('id="main"') if 'id="main"' in html else 0
    start = html.index('class="help-block help-critical eyos-error-summary"')
    assert start > main_start
    assert start < html.index("decision-heading")  # above the forms, at the top of the content
    end = html.index("</div>", start)
    return html[html.rindex("<div", 0, start):end]


def test_sending_back_without_a_comment_shows_an_error_summary_at_the_top(client, users):
    event = submitted_event()
    client.force_login(users["coordinator-fr"])
    response = client.post(f"/admin/coordinators/events/{event.uid}/request-changes/", {"comment": ""})
    assert response.status_code == 400 and response.context["changes_form"].errors["comment"]
    summary = summary_of(page(response))
    assert 'role="alert"' in summary and 'tabindex="-1"' in summary
    assert 'href="#id_comment"' in summary and "What should the organiser change?" in summary
    assert 'id="id_comment"' in page(response)  # the link leads to the field
    assert Event.objects.get(pk=event.pk).status == S.SUBMITTED


def test_rejecting_without_a_reason_shows_an_error_summary_at_the_top(client, users):
    event = submitted_event()
    client.force_login(users["coordinator-fr"])
    response = client.post(f"/admin/coordinators/events/{event.uid}/reject/", {"note": "x"})
    assert response.status_code == 400 and response.context["reject_form"].errors["reason"]
    html = page(response)
    summary = summary_of(html)
    assert 'role="alert"' in summary and 'href="#id_reason_0"' in summary and "Reason" in summary
    assert 'id="id_reason_0"' in html


def test_the_review_page_has_no_summary_without_errors(client, users):
    event = submitted_event()
    client.force_login(users["coordinator-fr"])
    assert "eyos-error-summary" not in page(client.get(f"/admin/coordinators/events/{event.uid}/"))


# 7. `make run` points emails at its own port ---------------------------------------------------


@pytest.mark.skipif(not shutil.which("make"), reason="needs GNU make")
@pytest.mark.parametrize("env, expected", [
    ({"PORT": "8080"}, "http://127.0.0.1:8080"),
    ({}, "http://127.0.0.1:8000"),
    ({"PORT": "8080", "SITE_URL": "https://events.example.org"}, "https://events.example.org"),
])
def test_make_run_sets_site_url_from_the_port(tmp_path, env, expected):
    fake_python = tmp_path / "python"
    fake_python.write_text('#!/bin/sh\necho "SITE_URL=$SITE_URL"\n')
    fake_python.chmod(0o755)
    base = {key: value for key, value in os.environ.items() if key not in ("SITE_URL", "PORT", "MAKEFLAGS", "MFLAGS")}
    result = subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed", "run", "VENV=.venv", f"PY={fake_python}"],
        cwd=Path(__file__).resolve().parent.parent, env={**base, **env}, capture_output=True, text=True,
        timeout=60, start_new_session=True,  # the recipe's `trap 'kill 0'` stays in its own group
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("SITE_URL=")]
    assert lines and set(lines) == {f"SITE_URL={expected}"}, result.stdout + result.stderr


def test_a_cancelled_event_without_registration_says_cancelled_in_the_registration_box(client, db):
    from tests import factories

    event = factories.published_event(factories.organisation("FR"), registration_mode="none", capacity=None)
    event.status = "cancelled"
    event.save()
    aside = client.get(f"/en/events/{event.uid}/").content.decode().split('class="event-register', 1)[1]
    assert "No registration needed." not in aside and "This event is cancelled." in aside
