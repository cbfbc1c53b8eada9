"""The review page shows what a coordinator must check: accessibility and the registration window."""

from datetime import UTC, datetime

import pytest

from events.models import Event
from tests import factories

pytestmark = pytest.mark.django_db


def review_page(client, **fields):
    org = factories.organisation("FR")
    event = factories.event(org, status=Event.Status.SUBMITTED, timezone="Europe/Paris", **fields)
    client.force_login(factories.coordinator("FR"))
    response = client.get(f"/admin/coordinators/events/{event.uid}/")
    assert response.status_code == 200
    return response.content.decode()


def test_accessibility_details_are_shown(client):
    html = review_page(client, step_free_access=True, captions=True, accessibility_notes="Lift at the back door")
    assert "Step-free access" in html and "Captions" in html and "Lift at the back door" in html
    assert "Sign language interpretation" not in html


def test_no_accessibility_features_is_said_in_words(client):
    assert "No accessibility features given" in review_page(client)


def test_the_registration_window_is_shown_in_the_events_zone(client):
    html = review_page(client, registration_opens=datetime(2031, 5, 1, 8, 0, tzinfo=UTC),
                       registration_closes=datetime(2031, 5, 20, 20, 0, tzinfo=UTC))
    assert "Registration window" in html
    assert "1 May 2031, 10:00" in html or "1 May 2031 10:00" in html  # 08:00 UTC is 10:00 in Paris
    assert "20 May 2031" in html and "22:00" in html


def test_an_open_window_says_so(client):
    html = review_page(client)
    assert "open from publication" in html and "closes when the event starts" in html
