"""The embeddable list: the only page other sites may frame, the list's events for the list's
filters in the language asked for, and a snippet to copy on the subscribe page."""

import re

import pytest

from events import selectors
from events.criteria import EventFilters
from tests import factories

pytestmark = pytest.mark.django_db


def test_only_the_widget_may_be_framed_by_other_sites(client):
    response = client.get("/embed/events/?country=FR&lang=fr")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors *" in policy
    # The rest of the policy is the site's: no inline script, no other origins.
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "Set-Cookie" not in response and not response.cookies
    for url in ("/en/events/", "/en/events/subscribe/", "/en/", "/api/v1/docs", "/feeds/events.ics"):
        other = client.get(url)
        assert other["X-Frame-Options"] in ("DENY", "SAMEORIGIN"), url
        if "Content-Security-Policy" in other:
            assert "frame-ancestors *" not in other["Content-Security-Policy"], url


def test_the_widget_shows_the_lists_next_events_in_the_language_asked_for(client):
    response = client.get("/embed/events/?country=FR&topic=digital-skills&lang=fr")
    html = response.content.decode()
    assert '<html lang="fr">' in html
    expected = list(selectors.event_search(EventFilters(countries=("FR",), topics=("digital-skills",))).events[:10])
    assert expected
    shown = re.findall(r'href="/fr/events/([0-9a-f-]{36})/"', html)
    assert shown == [str(event.uid) for event in expected]
    assert 'target="_blank"' in html  # links leave the frame
    assert "/fr/events/?country=FR&amp;topic=digital-skills" in html


def test_unknown_language_falls_back_and_bad_filters_are_a_400(client):
    assert '<html lang="en">' in client.get("/embed/events/?lang=xx").content.decode()
    bad = client.get("/embed/events/?country=XX&lang=de")
    assert bad.status_code == 400
    assert "X-Frame-Options" not in bad


def test_the_widget_is_cached_until_the_next_write(client, django_assert_num_queries):
    org = factories.organisation("MT")
    event = factories.published_event(org, title="Before the change", days=1)
    assert "Before the change" in client.get("/embed/events/?country=MT").content.decode()
    with django_assert_num_queries(0):
        client.get("/embed/events/?country=MT")
    event.title = "After the change"
    event.save()
    assert "After the change" in client.get("/embed/events/?country=MT").content.decode()


def test_the_subscribe_page_offers_the_snippet_for_its_filters(client):
    html = client.get("/de/events/subscribe/?country=DE&topic=green-skills").content.decode()
    assert 'id="embed-code"' in html
    snippet = re.search(r'<textarea id="embed-code"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    assert snippet.startswith("&lt;iframe src=&quot;http://testserver/embed/events/?") or \
        snippet.startswith("&lt;iframe src=\"http://testserver/embed/events/?")
    assert "country=DE" in snippet and "topic=green-skills" in snippet and "lang=de" in snippet
    assert 'for="embed-code"' in html  # labelled
