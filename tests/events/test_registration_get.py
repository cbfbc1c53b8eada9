"""A GET on the registration form's target (a reload, a shared address) goes to the event."""

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def test_get_on_the_registration_address_redirects_to_the_event(client):
    event = factories.published_event(factories.organisation("FR"))
    response = client.get(f"/en/events/{event.uid}/register/")
    assert response.status_code == 302 and response["Location"] == f"/en/events/{event.uid}/"


def test_other_methods_are_still_refused(client):
    event = factories.published_event(factories.organisation("FR"))
    assert client.put(f"/en/events/{event.uid}/register/").status_code == 405
