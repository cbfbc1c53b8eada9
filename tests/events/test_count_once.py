"""Facet counts are computed by one process at a time (events.cache.cached_once_at_a_time): while
one counts after a change, the others show the counts it replaces, never older than one count,
and do not keep them under the current version."""

import pytest
from django.core.cache import cache
from django.utils import timezone

from events import cache as event_cache
from events import selectors
from events.cache import _digest, cached_once_at_a_time, events_changed
from events.criteria import EventFilters
from tests import factories

pytestmark = pytest.mark.django_db

PARTS = ("test-count", "x")


def computing_elsewhere(parts):
    """What another process holds while it computes `parts`."""
    assert cache.add(f"eyos:computing:{_digest(parts)}", 1, timeout=event_cache.COMPUTING_SECONDS)


def test_a_current_value_is_computed_once_and_kept():
    calls = []
    assert cached_once_at_a_time(PARTS, lambda: calls.append(1) or "one", events_only=True) == ("one", True)
    assert cached_once_at_a_time(PARTS, lambda: calls.append(1) or "two", events_only=True) == ("one", True)
    assert calls == [1]
    assert cache.get(f"eyos:computing:{_digest(PARTS)}") is None  # the right to compute is given back


def test_while_another_process_computes_the_last_value_is_served_not_computed_again():
    cached_once_at_a_time(PARTS, lambda: "old", events_only=True)
    events_changed()
    computing_elsewhere(PARTS)
    assert cached_once_at_a_time(PARTS, lambda: pytest.fail("computed twice at once"), events_only=True) == ("old", False)
    cache.delete(f"eyos:computing:{_digest(PARTS)}")  # the other process is done (it kept nothing here)
    assert cached_once_at_a_time(PARTS, lambda: "new", events_only=True) == ("new", True)


def test_a_last_value_too_old_is_not_served_even_while_another_process_computes():
    cached_once_at_a_time(PARTS, lambda: "old", events_only=True)
    events_changed()
    computing_elsewhere(PARTS)
    stamp, value, overtaken = cache.get(f"eyos:latest:{_digest(PARTS)}")
    cache.set(f"eyos:latest:{_digest(PARTS)}", (stamp - event_cache.LATEST_SECONDS - 1, value, overtaken), 60)
    assert cached_once_at_a_time(PARTS, lambda: "new", events_only=True) == ("new", True)
    # It did not hold the right to compute, so it did not give it back: the other process still has it.
    assert cache.get(f"eyos:computing:{_digest(PARTS)}") == 1


def test_the_right_to_compute_is_given_back_when_the_computation_fails():
    def fails():
        raise RuntimeError("database gone")

    with pytest.raises(RuntimeError):
        cached_once_at_a_time(PARTS, fails, events_only=True)
    assert cache.get(f"eyos:computing:{_digest(PARTS)}") is None
    assert cached_once_at_a_time(PARTS, lambda: "after", events_only=True) == ("after", True)


def test_the_list_shows_the_previous_counts_while_they_are_counted_elsewhere_and_does_not_keep_them():
    org = factories.organisation("LU")
    for _ in range(3):
        factories.published_event(org, days=5)
    filters = EventFilters(countries=("LU",))
    before = selectors.event_search(filters).facets
    factories.published_event(org, days=6)  # a change: the counts are counted again …
    hour = timezone.now().strftime("%Y%m%d%H")
    from dataclasses import replace

    others = replace(filters, countries=(), topics=(), format="", language="")
    computing_elsewhere(("facet_cells", others, hour))  # … by another process, right now
    during = selectors.event_search(filters)
    assert during.facets == before  # the counts it replaces
    assert len(during.events[0:20]) == before["total"] + 1  # the events themselves are current
    cache.delete(f"eyos:computing:{_digest(('facet_cells', others, hour))}")
    after = selectors.event_search(filters).facets  # not the copy drawn meanwhile
    assert after["total"] == before["total"] + 1 and after["country"]["LU"] == before["country"]["LU"] + 1


def test_counts_change_at_once_when_no_one_else_is_counting():
    org = factories.organisation("LU")
    factories.published_event(org, days=5)
    filters = EventFilters(countries=("LU",))
    before = selectors.event_search(filters).facets["total"]
    factories.published_event(org, days=2)
    assert selectors.event_search(filters).facets["total"] == before + 1


def test_a_list_drawn_with_the_last_counts_shows_every_event_and_is_not_kept(client):
    """The page drawn while another process counts shows the last total, but every event (a new
    one is not cut off by the old total), and neither the page cache nor shared caches keep it."""
    import re

    org = factories.organisation("LU")
    factories.published_event(org, days=5, title="First LU event")
    url = "/en/events/?country=LU"

    def shown(response):
        body = response.content.decode()
        return int(re.search(r'id="results-heading"[^>]*>(\d+) event', body).group(1)), body

    total, _body = shown(client.get(url))
    assert total <= 20
    factories.published_event(org, days=400, title="Newest LU event")  # sorts last
    hour = timezone.now().strftime("%Y%m%d%H")
    computing_elsewhere(("facet_cells", EventFilters(), hour))
    response = client.get(url)
    during, body = shown(response)
    assert during == total and "Newest LU event" in body  # the last total, every row
    assert "public" not in response.get("Cache-Control", "")
    cache.delete(f"eyos:computing:{_digest(('facet_cells', EventFilters(), hour))}")
    after, body = shown(client.get(url))
    assert after == total + 1 and "Newest LU event" in body  # drawn again, not the copy above


def test_without_a_version_nothing_is_kept_under_a_series_of_its_own(monkeypatch):
    """When the cache cannot give the data version (Redis unreachable for a moment: the read
    fails, a write right after may succeed), a value is computed and not kept: kept, it would
    sit under a "None" series and be served as current by the next request that cannot read the
    version either, however old."""
    from events import quickread

    monkeypatch.setattr(quickread, "read_many", lambda keys: {})
    monkeypatch.setattr(event_cache, "version", lambda key: None)
    assert event_cache.cache_key(PARTS) is None
    assert event_cache.cache_key(PARTS, events_only=True) is None
    assert event_cache.cached(PARTS, lambda: "first") == "first"
    assert event_cache.cached(PARTS, lambda: "second") == "second"  # computed again, nothing kept
    assert cached_once_at_a_time(PARTS, lambda: "third") == ("third", True)


def overtaken_compute(value):
    """A computation during which events change (as during an import)."""
    def compute():
        events_changed()
        return value

    return compute


def test_while_changes_keep_coming_the_value_is_computed_again_only_after_it_settles():
    latest = f"eyos:latest:{_digest(PARTS)}"
    assert cached_once_at_a_time(PARTS, overtaken_compute("first"), events_only=True, settle=10) == ("first", True)
    events_changed()
    # Within `settle` of a computation a change overtook: the last value, not kept.
    assert cached_once_at_a_time(PARTS, lambda: pytest.fail("computed again in the burst"), events_only=True,
                                 settle=10) == ("first", False)
    stamp, value, overtaken = cache.get(latest)
    cache.set(latest, (stamp - 11, value, overtaken), 60)  # `settle` later: computed again
    assert cached_once_at_a_time(PARTS, lambda: "second", events_only=True, settle=10) == ("second", True)
    # Nothing overtook that one: a change right after it is counted at once.
    events_changed()
    assert cached_once_at_a_time(PARTS, lambda: "third", events_only=True, settle=10) == ("third", True)


def test_without_settle_a_burst_is_computed_again_at_every_change_negative_control():
    assert cached_once_at_a_time(PARTS, overtaken_compute("first"), events_only=True) == ("first", True)
    events_changed()
    assert cached_once_at_a_time(PARTS, lambda: "again", events_only=True) == ("again", True)


def test_a_last_value_of_the_previous_release_is_read():
    """Entries written before `settle` existed hold (when, value): still served while another
    process computes, and never taken for an overtaken one."""
    import time

    cache.set(f"eyos:latest:{_digest(PARTS)}", (time.time(), "old"), 60)
    assert cached_once_at_a_time(PARTS, lambda: "new", events_only=True, settle=1.0) == ("new", True)
    events_changed()
    computing_elsewhere(PARTS)
    cache.set(f"eyos:latest:{_digest(PARTS)}", (time.time(), "old"), 60)
    assert cached_once_at_a_time(PARTS, lambda: pytest.fail("computed twice"), events_only=True,
                                 settle=1.0) == ("old", False)


def test_an_invalid_list_drawn_with_the_last_counts_is_not_kept(client):
    """The 400 page (the form again with its errors and every option counted) follows the same
    rule as the list: drawn with the last counts while another process counts, it is not kept."""
    import re

    org = factories.organisation("LU")
    factories.published_event(org, days=5)
    url = "/en/events/?country=LU&from=not-a-date"

    def luxembourg(response):
        assert response.status_code == 400
        return int(re.search(r'name="country" value="LU"[^>]*>[^<]*<span class="count">\((\d+)\)',
                             response.content.decode()).group(1))

    before = luxembourg(client.get(url))
    factories.published_event(org, days=6)
    hour = timezone.now().strftime("%Y%m%d%H")
    computing_elsewhere(("facet_cells", EventFilters(), hour))
    assert luxembourg(client.get(url)) == before  # the last counts …
    cache.delete(f"eyos:computing:{_digest(('facet_cells', EventFilters(), hour))}")
    assert luxembourg(client.get(url)) == before + 1  # … not kept as this page
