"""The list's facet counts come from one grouped query over Event.topic_key (events.selectors
_facet_cells), shared by every combination of countries, topics, format and language."""

import pytest
from django.utils import timezone

from events import selectors
from events.criteria import EventFilters
from events.models import Topic

from .. import factories

pytestmark = pytest.mark.django_db


def test_one_query_serves_every_combination_of_the_faceted_filters(django_assert_num_queries):
    org_mt, org_fr = factories.organisation("MT"), factories.organisation("FR")
    topic = Topic.objects.filter(slug__isnull=False).order_by("pk").first()
    factories.published_event(org_mt).topics.set([topic])
    factories.published_event(org_fr, format="online", online_url="https://example.org/room")
    now = timezone.now()
    selectors.event_search(EventFilters(), now=now).facets  # the cells and topic ids, cached
    with django_assert_num_queries(0):
        by_country = selectors.event_search(EventFilters(countries=("MT",)), now=now).facets
        by_topic = selectors.event_search(EventFilters(topics=(topic.slug,), format="onsite"), now=now).facets
    assert by_country["total"] == selectors.filtered_events(EventFilters(countries=("MT",)), now=now).count()
    assert by_topic["total"] == selectors.filtered_events(
        EventFilters(topics=(topic.slug,), format="onsite"), now=now).count()
    for country in ("MT", "FR"):
        assert by_topic["country"].get(country, 0) == selectors.filtered_events(
            EventFilters(topics=(topic.slug,), format="onsite", countries=(country,)), now=now).count()
    assert by_topic["country"]["MT"] >= 1


def test_other_filters_are_counted_apart(django_assert_num_queries):
    """A date range or an accessibility need changes the cells: one new query, then shared again."""
    org = factories.organisation("MT")
    factories.published_event(org, captions=True)
    now = timezone.now()
    plain = selectors.event_search(EventFilters(), now=now).facets
    with django_assert_num_queries(1):
        captioned = selectors.event_search(EventFilters(captions=True), now=now).facets
    with django_assert_num_queries(0):
        selectors.event_search(EventFilters(captions=True, countries=("MT",)), now=now).facets
    assert captioned["total"] == selectors.filtered_events(EventFilters(captions=True), now=now).count()
    assert captioned["total"] < plain["total"]
