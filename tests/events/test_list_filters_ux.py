"""The event list's helpers (events/list_ux.py, events/filters.EventListForm): removable chips of
the filters in use (plain links, one filter each), the results' order (`sort`), quick dates in the
site's time zone, and the page cache telling orders apart. Events in Malta, which the demo data
leaves alone (as tests/events/test_event_list.py)."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from events.list_ux import quick_ranges
from events.models import Event, Topic
from events.views.public import LIST_PARAMETERS
from tests import factories

pytestmark = pytest.mark.django_db

CHIP = re.compile(r'<a class="chip" href="([^"]+)" aria-label="([^"]+)">')


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@pytest.fixture
def island(db):
    org = factories.organisation("MT", name="Malta Skills")
    Event.objects.filter(country="MT").update(status=Event.Status.DRAFT)
    green = Topic.objects.get(slug="green-skills", locale__language_code="en")
    events = {
        # Added first, held last; added last, held first.
        "late": factories.published_event(org, title="Late fair", days=30, latitude=Decimal("35.9"),
                                          longitude=Decimal("14.5")),
        "middle": factories.published_event(org, title="Middle talk", days=10, latitude=Decimal("36.04"),
                                            longitude=Decimal("14.24")),
        "soon": factories.published_event(org, title="Soon workshop", days=2, latitude=Decimal("35.83"),
                                          longitude=Decimal("14.44")),
    }
    for event in events.values():
        event.topics.add(green)
    return events


def titles(response):
    assert response.status_code == 200, response.content.decode()[:500]
    return [event.title for event in response.context["page"].object_list]


def chips(response):
    return [(unescape(label), unescape(href)) for href, label in CHIP.findall(response.content.decode())]


# --- chips -----------------------------------------------------------------------------------

def test_each_chip_removes_exactly_one_filter_and_keeps_the_rest(client, island):
    response = client.get("/en/events/?country=MT&country=FR&topic=green-skills&format=onsite&sort=newest&page=1")
    found = dict(chips(response))
    assert set(found) == {"Remove filter: Country: Malta", "Remove filter: Country: France",
                          "Remove filter: Topic: Green skills", "Remove filter: Format: On site"}
    before = [("country", "MT"), ("country", "FR"), ("topic", "green-skills"), ("format", "onsite")]
    for label, href in found.items():
        pairs = parse_qsl(urlsplit(href).query)
        assert urlsplit(href).path == "/en/events/"
        assert ("sort", "newest") in pairs and ("page", "1") not in pairs  # the order kept, the page not
        removed = [pair for pair in before if pair not in pairs]
        assert len(removed) == 1, (label, pairs)
        assert len([pair for pair in pairs if pair != ("sort", "newest")]) == len(before) - 1
    # Following a chip gives the list without that filter (and still no error).
    assert client.get(found["Remove filter: Country: France"]).status_code == 200


def test_chips_for_dates_search_and_a_place_and_none_without_filters(client, island):
    assert chips(client.get("/en/events/")) == []
    assert chips(client.get("/en/events/?sort=soonest&within=10")) == []  # neither is a filter
    response = client.get("/en/events/?q=fair&from=2030-01-02&near=35.9,14.5&within=10&step_free_access=1")
    found = dict(chips(response))
    assert "Remove filter: Search: fair" in found and "Remove filter: Step-free access" in found
    assert any(label.startswith("Remove filter: From: ") and "2030" in label for label in found)
    near = next(href for label, href in found.items() if label.startswith("Remove filter: Near"))
    assert "near=" not in near and "within=" not in near and "q=fair" in near  # a place goes with its distance


def test_a_chip_is_a_plain_link_with_an_accessible_name(client, island):
    html = client.get("/en/events/?country=MT").content.decode()
    assert '<a class="chip" href="/en/events/" aria-label="Remove filter: Country: Malta">Country: Malta' in html


def test_an_empty_country_choice_is_no_filter(client, island):
    # The home page's search sends country= for "All countries".
    response = client.get("/en/events/?q=&country=")
    assert response.status_code == 200 and chips(response) == []


# --- sort ------------------------------------------------------------------------------------

def test_soonest_first_is_the_default_and_newest_added_is_an_order(client, island):
    assert titles(client.get("/en/events/?country=MT")) == ["Soon workshop", "Middle talk", "Late fair"]
    assert titles(client.get("/en/events/?country=MT&sort=soonest")) == ["Soon workshop", "Middle talk", "Late fair"]
    # Added in the order late, middle, soon: newest added first is the other way round from the
    # creation order, whatever the dates.
    Event.objects.filter(pk=island["late"].pk).update(created_at=datetime(2030, 1, 3, tzinfo=UTC))
    Event.objects.filter(pk=island["middle"].pk).update(created_at=datetime(2030, 1, 1, tzinfo=UTC))
    Event.objects.filter(pk=island["soon"].pk).update(created_at=datetime(2030, 1, 2, tzinfo=UTC))
    cache.clear()
    assert titles(client.get("/en/events/?country=MT&sort=newest")) == ["Late fair", "Soon workshop", "Middle talk"]


def test_nearest_first_with_a_place_and_soonest_on_request(client, island):
    near = "near=36.05,14.25&within=100"  # by Middle talk, then Late fair, then Soon workshop
    assert titles(client.get(f"/en/events/?country=MT&{near}")) == ["Middle talk", "Late fair", "Soon workshop"]
    assert titles(client.get(f"/en/events/?country=MT&{near}&sort=nearest")) == ["Middle talk", "Late fair",
                                                                                   "Soon workshop"]
    assert titles(client.get(f"/en/events/?country=MT&{near}&sort=soonest")) == ["Soon workshop", "Middle talk",
                                                                                   "Late fair"]


@pytest.mark.parametrize("query", ["sort=nearest", "sort=oldest", "sort=" + "x" * 300])
def test_a_bad_order_is_a_clear_400(client, island, query):
    response = client.get("/en/events/?country=MT&" + query)
    assert response.status_code == 400
    assert "Some filters are not valid" in response.content.decode()


def test_the_sort_menu_offers_nearest_only_with_a_place_and_keeps_the_filters(client, island):
    html = client.get("/en/events/?country=MT&sort=newest").content.decode()
    assert '<select name="sort" id="id_sort" data-autosubmit>' in html and 'value="nearest"' not in html
    assert '<option value="newest" selected>' in html
    assert '<input type="hidden" name="country" value="MT">' in html
    assert 'value="nearest" selected' in client.get("/en/events/?near=36.05,14.25").content.decode()


def test_pages_keep_the_order_and_feeds_do_not_take_it(client, island):
    response = client.get("/en/events/?country=MT&sort=newest")
    assert "sort=newest" in response.context["query_string"]
    assert "sort" not in response.context["feed_url"] and "sort" not in response.context["subscribe_url"]


def test_the_cache_key_includes_the_order(island, django_assert_num_queries):
    assert "sort" in LIST_PARAMETERS
    Client().get("/en/events/?country=MT&sort=newest")
    with django_assert_num_queries(0):  # a hit
        Client().get("/en/events/?sort=newest&country=MT")
    with CaptureQueriesContext(connection) as other:
        response = Client().get("/en/events/?country=MT&sort=soonest")
    assert len(other) > 0 and '<option value="soonest" selected>' in response.content.decode()


def test_sorting_costs_no_query(client, island):
    """Each order is one query for the page's rows, except soonest first (the default) on SQLite,
    which is two that never walk past events: those under way, then those to come
    (selectors.SoonestFirst); on PostgreSQL the first page's two are one UNION ALL statement."""
    counts = []
    for query in ("", "&sort=soonest", "&sort=newest"):
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            client.get("/en/events/?country=MT" + query)
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2] + (0 if connection.vendor == "postgresql" else 1), counts


# --- quick dates -----------------------------------------------------------------------------

def ranges(now):
    return {key: (start, end) for key, start, end in quick_ranges(now)}


def test_quick_dates_on_a_wednesday():
    found = ranges(datetime(2026, 12, 9, 12, tzinfo=UTC))
    assert found == {
        "today": (date(2026, 12, 9), date(2026, 12, 9)),
        "weekend": (date(2026, 12, 12), date(2026, 12, 13)),
        "week": (date(2026, 12, 9), date(2026, 12, 13)),
        "month": (date(2026, 12, 9), date(2026, 12, 31)),
    }


def test_quick_dates_take_the_sites_time_zone_across_a_month_end():
    # 30 November 23:30 UTC is already Tuesday 1 December in Brussels.
    found = ranges(datetime(2026, 11, 30, 23, 30, tzinfo=UTC))
    assert found["today"] == (date(2026, 12, 1), date(2026, 12, 1))
    assert found["month"] == (date(2026, 12, 1), date(2026, 12, 31))
    assert found["week"] == (date(2026, 12, 1), date(2026, 12, 6))
    # One hour earlier it is still November there.
    assert ranges(datetime(2026, 11, 30, 22, 30, tzinfo=UTC))["month"] == (date(2026, 11, 30), date(2026, 11, 30))


def test_quick_dates_at_the_weekend_and_at_the_end_of_a_week_and_a_leap_february():
    saturday = ranges(datetime(2026, 12, 12, 10, tzinfo=UTC))
    assert saturday["weekend"] == (date(2026, 12, 12), date(2026, 12, 13))
    # Sunday 23:30 in Brussels (22:30 UTC): what is left of the weekend and of the week is today.
    sunday = ranges(datetime(2026, 12, 13, 22, 30, tzinfo=UTC))
    assert sunday["weekend"] == sunday["week"] == sunday["today"] == (date(2026, 12, 13), date(2026, 12, 13))
    # Sunday 23:30 UTC is Monday in Brussels: a new week, the weekend to come.
    monday = ranges(datetime(2026, 12, 13, 23, 30, tzinfo=UTC))
    assert monday["week"] == (date(2026, 12, 14), date(2026, 12, 20))
    assert monday["weekend"] == (date(2026, 12, 19), date(2026, 12, 20))
    assert ranges(datetime(2028, 2, 10, 12, tzinfo=UTC))["month"] == (date(2028, 2, 10), date(2028, 2, 29))


def test_quick_dates_are_links_that_set_from_and_to_and_show_the_current_one(client, island):
    response = client.get("/en/events/?country=MT&past=1&page=2&from=2020-01-01")
    quick = {item.key: item for item in response.context["quick_dates"]}
    today = quick["today"]
    pairs = parse_qsl(urlsplit(today.url).query)
    assert ("country", "MT") in pairs and ("from", today.start.isoformat()) in pairs
    assert ("to", today.end.isoformat()) in pairs and not {"past", "page"} & {name for name, _v in pairs}
    assert [name for name, _v in pairs].count("from") == 1
    chosen = client.get(quick["week"].url)
    assert chosen.status_code == 200
    current = [item.key for item in chosen.context["quick_dates"] if item.current]
    assert "week" in current
    assert 'aria-current="true">This week</a>' in chosen.content.decode()


def test_the_filters_keep_the_order_when_applied(client, island):
    html = client.get("/en/events/?country=MT&sort=newest").content.decode()
    form = html.split('class="filters"', 1)[1].split("</form>", 1)[0]
    assert '<input type="hidden" name="sort" value="newest">' in form

