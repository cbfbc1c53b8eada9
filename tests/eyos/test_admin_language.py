"""The admin speaks each person's preferred language (issue 18): Wagtail reads
UserProfile.preferred_language, EYOS keeps it equal to User.preferred_language."""

import re

import pytest
from wagtail.users.models import UserProfile

from tests import factories

pytestmark = pytest.mark.django_db


def html_lang(response):
    return re.search(r'<html[^>]*\blang="([^"]+)"', response.content.decode()).group(1)


def test_french_coordinator_gets_the_admin_in_french_whatever_the_browser_says(client):
    coordinator = factories.coordinator("FR", language="fr")
    client.force_login(coordinator)
    response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert html_lang(response) == "fr"
    assert "Tableau de bord" in response.content.decode()  # Wagtail's own French
    queue = client.get("/admin/coordinators/", HTTP_ACCEPT_LANGUAGE="en")
    assert queue.status_code == 200 and html_lang(queue) == "fr"


def test_english_coordinator_with_a_french_browser_stays_in_english(client):
    """Negative control: the language comes from the person, not from the browser."""
    coordinator = factories.coordinator("FR", language="en")
    client.force_login(coordinator)
    response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="fr")
    assert html_lang(response) == "en"
    assert "Tableau de bord" not in response.content.decode()


def test_changing_either_language_changes_the_other():
    person = factories.user(language="de")
    assert UserProfile.get_for_user(person).preferred_language == "de"
    person.preferred_language = "fr"
    person.save()
    assert UserProfile.get_for_user(person).preferred_language == "fr"
    profile = UserProfile.get_for_user(person)
    profile.preferred_language = "pl"  # the admin's Account → Preferences
    profile.save()
    person.refresh_from_db()
    assert person.preferred_language == "pl"


def test_a_login_costs_no_extra_query(django_assert_num_queries):
    person = factories.user(language="fr")
    with django_assert_num_queries(1):
        person.save(update_fields=["last_login"])


def test_admin_preferences_offer_the_24_languages(client):
    coordinator = factories.coordinator("FR", language="fr")
    client.force_login(coordinator)
    response = client.get("/admin/account/")
    body = response.content.decode()
    assert 'value="ga"' in body and 'value="mt"' in body and 'value="ar"' not in body
