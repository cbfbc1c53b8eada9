"""Tables do not widen the page on small screens: their cells wrap long words and a wide table
scrolls by itself (static/css/site.css), and the organisers' tables - registrants, events - sit in
<main>, where those rules apply, with no inline style (which the CSP forbids)."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from events import services
from tests import factories
from tests.pages import page

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(users):
    """The demo accounts, reading the admin in English (factories.in_english)."""
    return factories.in_english(users)


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
