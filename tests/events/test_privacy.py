"""Data protection: export (art. 20), erasure (art. 17), retention of guests' data, consent
records. Each test looks in the database at what remains."""

import json
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from coordinators.models import CoordinatorAssignment
from events import services
from events.models import Event, Registration
from tests import factories

pytestmark = pytest.mark.django_db


def register(event, email, user=None):
    registration = services.registration_create(event=event, name="Person", email=email, consent=True,
                                                language="en", user=user)
    return services.registration_confirm(registration=registration)


def test_consent_is_recorded_with_its_time_and_the_privacy_notice_revision(settings):
    """The version names the form's wording and the revision of the privacy notice, in the
    registrant's language, that was live when they agreed; publishing a new notice changes the
    version for later registrations only."""
    from campaigns.models import PrivacyPage

    settings.EYOS_CONSENT_VERSION = "2026-11-v7"
    event = factories.published_event(factories.organisation("FR"))
    notice = PrivacyPage.objects.live().get(locale__language_code="fr")
    registration = services.registration_create(event=event, name="A", email="a@example.org", consent=True,
                                                language="fr")
    assert registration.consent_at and registration.consent_version == f"2026-11-v7+fr-r{notice.live_revision_id}"
    notice.title = "Protection des données (2027)"
    new_revision = notice.save_revision()
    new_revision.publish()
    later = services.registration_create(event=event, name="B", email="b@example.org", consent=True, language="fr")
    assert later.consent_version == f"2026-11-v7+fr-r{new_revision.pk}"
    registration.refresh_from_db()
    assert registration.consent_version == f"2026-11-v7+fr-r{notice.live_revision_id}"
    assert new_revision.pk != notice.live_revision_id
    # The accepted text can be read back from Wagtail's history.
    accepted = int(registration.consent_version.rsplit("-r", 1)[1])
    assert notice.revisions.get(pk=accepted).as_object().title != "Protection des données (2027)"


def test_consent_falls_back_to_the_default_language_notice_and_then_to_the_wording_alone(settings):
    from campaigns.models import PrivacyPage

    settings.EYOS_CONSENT_VERSION = "2026-11-v7"
    event = factories.published_event(factories.organisation("FR"))
    assert not PrivacyPage.objects.live().filter(locale__language_code="mt").exists()
    english = PrivacyPage.objects.live().get(locale__language_code="en")
    maltese = services.registration_create(event=event, name="M", email="m@example.org", consent=True, language="mt")
    assert maltese.consent_version == f"2026-11-v7+en-r{english.live_revision_id}"
    PrivacyPage.objects.all().unpublish()
    nothing = services.registration_create(event=event, name="N", email="n@example.org", consent=True, language="mt")
    assert nothing.consent_version == "2026-11-v7"


def test_download_my_data_holds_everything(client):
    person = factories.user("me@example.org")
    org = factories.organisation("FR", members=[person], name="My Org")
    CoordinatorAssignment.objects.create(user=person, country="LU")
    event = factories.published_event(org, title="Signed-in event")
    register(event, "", user=person)
    register(factories.published_event(org, title="Guest event"), "ME@example.org")  # as a guest
    client.force_login(person)
    assert client.get("/en/my-data/").status_code == 200
    assert client.get("/en/my-data/download/").status_code == 405  # POST only (CSRF-protected)
    response = client.post("/en/my-data/download/")
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["account"]["email"] == "me@example.org"
    assert sorted(r["event"] for r in data["registrations"]) == ["Guest event", "Signed-in event"]
    assert all(r["consent_version"] for r in data["registrations"])
    assert data["organisations"] == [{"name": "My Org", "country": "FR", "website": ""}]
    assert data["coordinator_of"] == ["LU"]


def test_delete_my_account_erases_the_person_and_keeps_the_counts(client):
    person = factories.user("gone@example.org")
    org = factories.organisation("FR", members=[person])
    event = factories.published_event(org, capacity=5)
    mine = register(event, "", user=person)
    as_guest = register(factories.published_event(org), "gone@example.org")
    other = register(event, "stays@example.org")
    taken_before = services.places_taken(event)
    client.force_login(person)
    assert client.post("/en/my-data/delete/", {}).status_code == 302  # unticked: nothing happens
    assert get_user_model().objects.filter(pk=person.pk).exists()
    response = client.post("/en/my-data/delete/", {"confirm": "delete"})
    assert response.status_code == 200 and "Your account is deleted" in response.content.decode()
    assert not get_user_model().objects.filter(pk=person.pk).exists()
    assert not org.members.exists()
    for registration in (mine, as_guest):
        registration.refresh_from_db()
        assert registration.name == "" and "gone@example.org" not in registration.email
        assert registration.user_id is None and registration.anonymised_at
    assert Registration.objects.get(pk=other.pk).email == "stays@example.org"
    assert services.places_taken(event) == taken_before  # organisers keep counts, not people
    assert not Registration.objects.filter(email__icontains="gone@").exists()
    assert client.get("/en/registrations/").status_code == 302  # signed out


def test_retention_anonymises_guests_after_their_event(settings):
    settings.EYOS_RETENTION_DAYS = 90
    org = factories.organisation("FR")
    old = factories.published_event(org, days=10)
    recent = factories.published_event(org, days=12)
    person = factories.user()
    old_guest = register(old, "old-guest@example.org")
    old_member = register(old, "", user=person)
    recent_guest = register(recent, "recent-guest@example.org")
    Event.objects.filter(pk=old.pk).update(start=timezone.now() - timedelta(days=100),
                                           end=timezone.now() - timedelta(days=100) + timedelta(hours=2))
    Event.objects.filter(pk=recent.pk).update(start=timezone.now() - timedelta(days=20),
                                              end=timezone.now() - timedelta(days=20) + timedelta(hours=2))
    from django.core.management import call_command

    call_command("apply_retention", stdout=open("/dev/null", "w"))
    assert Registration.objects.get(pk=old_guest.pk).anonymised_at is not None
    assert Registration.objects.get(pk=old_guest.pk).email.endswith("@invalid.example")
    assert Registration.objects.get(pk=old_member.pk).anonymised_at is None  # account holders decide
    assert Registration.objects.get(pk=recent_guest.pk).email == "recent-guest@example.org"
    assert services.registrations_retention() == 0  # idempotent
