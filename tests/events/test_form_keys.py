"""A choice of topic or organisation that is a number too big for any key is a field error, not a
database error (SQLite: OverflowError; PostgreSQL: integer out of range). Found by the hostile
input test."""

import pytest

from tests import factories

pytestmark = pytest.mark.django_db

HUGE = "9" * 40


def test_a_huge_topic_id_is_a_field_error(client):
    organiser = factories.user()
    org = factories.organisation("FR", members=[organiser])
    event = factories.event(org)
    client.force_login(organiser)
    response = client.post(f"/en/organise/events/{event.uid}/edit/", {"title": "T", "topics": [HUGE]})
    assert response.status_code == 200
    assert "topics" in response.context["form"].errors


def test_a_huge_organisation_id_is_a_field_error(client):
    organiser = factories.user()
    factories.organisation("FR", members=[organiser])
    client.force_login(organiser)
    response = client.post("/en/organise/events/new/", {"title": "T", "organisation": HUGE})
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
