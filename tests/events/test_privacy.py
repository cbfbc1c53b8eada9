"""Data protection: export (art. 20), erasure (art. 17), retention of guests' data, consent
records. Each test looks in the database at what remains."""

import json
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from coordinators.models import CoordinatorAssignment
from events import services
from events.services import privacy
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


def reauthenticate(client, password="pw-for-tests-1"):
    """What allauth asks before a download or an erasure: the password again."""
    response = client.post("/en/accounts/reauthenticate/", {"password": password})
    assert response.status_code == 302, response.content[:300]


def test_download_my_data_holds_everything(client):
    person = factories.user("me@example.org")
    org = factories.organisation("FR", members=[person], name="My Org")
    CoordinatorAssignment.objects.create(user=person, country="LU")
    event = factories.published_event(org, title="Signed-in event")
    register(event, "", user=person)
    register(factories.published_event(org, title="Guest event"), "ME@example.org")  # as a guest
    client.force_login(person)
    reauthenticate(client)
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


def test_download_my_data_also_holds_roles_factors_other_addresses_and_admin_actions(client):
    from allauth.account.models import EmailAddress
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from wagtail.log_actions import log

    person = factories.coordinator("LU", email="coord-me@example.org")
    EmailAddress.objects.create(user=person, email="coord-me@work.example", verified=True)
    TOTP.activate(person, generate_totp_secret())
    org = factories.organisation("LU")
    factories.event(org, title="Made by me", created_by=person)
    decided = factories.event(org, status=Event.Status.SUBMITTED, title="Decided by me")
    services.event_approve(user=person, event=decided)
    guest = register(factories.published_event(org, title="Other address"), "COORD-ME@work.example")
    log(instance=decided, action="wagtail.edit", user=person)
    client.force_login(person)
    reauthenticate(client)
    data = json.loads(client.post("/en/my-data/download/").content)
    assert data["account"]["staff"] is True and data["account"]["eu_team"] is False
    assert "National coordinators LU" in data["account"]["groups"]
    assert [factor["type"] for factor in data["sign_in_factors"]] == ["totp"]
    assert "secret" not in json.dumps(data["sign_in_factors"])
    assert {"email": "coord-me@work.example", "verified": True, "primary": False} in data["email_addresses"]
    assert [r["email"] for r in data["registrations"]] == [guest.email]
    assert [e["event"] for e in data["events_decided"]] == ["Decided by me"]
    assert [e["event"] for e in data["events_created"]] == ["Made by me"]
    assert {"action": "wagtail.edit", "on": "Decided by me"}.items() <= data["admin_actions"][-1].items()


def test_download_and_delete_ask_for_the_password_again(client):
    person = factories.user("careful@example.org")
    client.force_login(person)
    response = client.post("/en/my-data/download/")
    assert response.status_code == 302 and "/accounts/reauthenticate/" in response["Location"]
    response = client.post("/en/my-data/delete/", {"confirm": "delete"})
    assert response.status_code == 302 and "/accounts/reauthenticate/" in response["Location"]
    assert get_user_model().objects.filter(pk=person.pk).exists()
    # After the password, the suspended request (the deletion) goes ahead.
    response = client.post("/en/accounts/reauthenticate/?next=/en/my-data/delete/", {"password": "pw-for-tests-1"},
                           follow=True)
    assert not get_user_model().objects.filter(pk=person.pk).exists()


def test_delete_my_account_erases_the_person_and_keeps_the_counts(client, django_capture_on_commit_callbacks):
    """Past registrations stay as anonymous counts; places for events to come are given up and the
    waiting list moves on; nothing is sent to the erased address; other addresses of the account,
    its sessions elsewhere and the audit log's copy of its address go too."""
    from allauth.account.models import EmailAddress
    from django.contrib.sessions.models import Session
    from django.core import mail
    from django.test import Client
    from wagtail.log_actions import log

    person = factories.user("gone@example.org")
    EmailAddress.objects.create(user=person, email="gone-too@example.org", verified=True)
    org = factories.organisation("FR", members=[person])
    full = factories.published_event(org, capacity=1)
    mine = register(full, "", user=person)
    waiting = register(full, "next-in-line@example.org")
    assert waiting.status == Registration.Status.WAITLISTED
    past = factories.published_event(org, days=5)
    in_the_past = register(past, "", user=person)
    other = register(past, "stays@example.org")
    Event.objects.filter(pk=past.pk).update(start=timezone.now() - timedelta(days=3),
                                            end=timezone.now() - timedelta(days=3, hours=-2))
    as_guest = register(factories.published_event(org), "GONE-TOO@example.org")  # the other address
    log(instance=person, action="wagtail.edit", user=person)  # e.g. the admin's account page
    elsewhere = Client()
    elsewhere.force_login(person)
    client.force_login(person)
    reauthenticate(client)
    assert client.post("/en/my-data/delete/", {}).status_code == 302  # unticked: nothing happens
    assert get_user_model().objects.filter(pk=person.pk).exists()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en/my-data/delete/", {"confirm": "delete"})
    assert response.status_code == 200 and "Your account is deleted" in response.content.decode()
    assert not get_user_model().objects.filter(pk=person.pk).exists()
    assert not org.members.exists() and not EmailAddress.objects.filter(email__startswith="gone").exists()
    for registration in (mine, as_guest, in_the_past):
        registration.refresh_from_db()
        assert registration.name == "" and "gone" not in registration.email
        assert registration.user_id is None and registration.anonymised_at
    # The place for the coming event went to the waiting list, who is told; the past one counts.
    assert Registration.objects.get(pk=mine.pk).status == Registration.Status.CANCELLED
    assert Registration.objects.get(pk=waiting.pk).status == Registration.Status.CONFIRMED
    assert Registration.objects.get(pk=in_the_past.pk).status == Registration.Status.CONFIRMED
    assert services.places_taken(past) == 2  # organisers keep counts, not people
    assert [message.to for message in mail.outbox] == [["next-in-line@example.org"]]
    assert Registration.objects.get(pk=other.pk).email == "stays@example.org"
    assert not Registration.objects.filter(email__icontains="gone").exists()
    assert client.get("/en/registrations/").status_code == 302  # signed out here
    assert elsewhere.get("/en/registrations/").status_code == 302  # and on the other device
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(person.pk)]
    from wagtail.models import ModelLogEntry

    assert not ModelLogEntry.objects.filter(label__icontains="gone@").exists()


def test_mail_and_reminders_never_go_to_an_anonymised_registration(django_capture_on_commit_callbacks):
    from django.core import mail

    from events.tasks import send_registration_email

    event = factories.published_event(factories.organisation("FR"), days=1)
    registration = register(event, "anon@example.org")
    privacy._anonymise(Registration.objects.filter(pk=registration.pk))
    assert not services.registrations_due_for_reminder().filter(pk=registration.pk).exists()
    mail.outbox.clear()
    send_registration_email.enqueue(registration_id=registration.pk, kind="reminder")
    assert mail.outbox == []


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


def test_retention_deletes_guest_registrations_never_confirmed_once_the_link_expired():
    event = factories.published_event(factories.organisation("FR"), days=30)
    stale = services.registration_create(event=event, name="S", email="stale@example.org", consent=True, language="en")
    fresh = services.registration_create(event=event, name="F", email="fresh@example.org", consent=True, language="en")
    Registration.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(days=4))
    assert services.registrations_retention() == 1
    assert not Registration.objects.filter(pk=stale.pk).exists()
    assert Registration.objects.get(pk=fresh.pk).status == Registration.Status.PENDING


@pytest.fixture
def database_tasks(monkeypatch):
    """The production task backend (django-tasks-db) in place of the immediate one."""
    from django.tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend

    database = DatabaseBackend("default", {"QUEUES": ["default"], "OPTIONS": {}})
    monkeypatch.setattr(task_backends._connections, "default", database, raising=False)
    return database


def test_retention_runs_as_a_daily_task_booked_once(database_tasks, settings):
    """`migrate` and each run book the next run; never two waiting at once. The worker runs it."""
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    settings.EYOS_RETENTION_DAYS = 90
    services.schedule_retention()
    services.schedule_retention()
    waiting = DBTaskResult.objects.filter(task_path=services.RETENTION_TASK, status=TaskResultStatus.READY)
    assert waiting.count() == 1 and waiting.get().run_after > timezone.now()
    old = factories.published_event(factories.organisation("FR"), days=10)
    guest = register(old, "old-guest@example.org")
    Event.objects.filter(pk=old.pk).update(start=timezone.now() - timedelta(days=100),
                                           end=timezone.now() - timedelta(days=100, hours=-2))
    waiting.update(run_after=timezone.now() - timedelta(minutes=1))  # its time has come
    # What db_worker does with a task that is due (its loop also closes connections between
    # tasks, which a test's transaction cannot survive).
    from django_tasks_db.management.commands.db_worker import Worker

    due = DBTaskResult.objects.ready().get(task_path=services.RETENTION_TASK)
    due.claim("test-worker")
    Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
           max_tasks=None, worker_id="test-worker", excluded_queue_names=[]).run_task(due)
    assert Registration.objects.get(pk=guest.pk).anonymised_at is not None
    assert DBTaskResult.objects.filter(task_path=services.RETENTION_TASK, status=TaskResultStatus.SUCCESSFUL).count() == 1
    next_run = DBTaskResult.objects.get(task_path=services.RETENTION_TASK, status=TaskResultStatus.READY)
    assert next_run.run_after > timezone.now() + timedelta(hours=2)


def test_a_consent_version_too_long_to_store_with_its_revision_fails_the_checks(settings):
    from events.checks import consent_version_fits

    assert consent_version_fits() == []
    settings.EYOS_CONSENT_VERSION = "privacy-wording-of-november-2026"
    assert [error.id for error in consent_version_fits()] == ["eyos.E001"]


def test_an_address_that_moved_to_another_account_does_not_bring_registrations_with_it():
    """X registered signed in as shared@…, then changed address; Y verified shared@… later. Y
    neither sees, exports, cancels nor (by deleting their account) erases X's place."""
    from allauth.account.models import EmailAddress

    x = factories.user("shared@example.org")
    event = factories.published_event(factories.organisation("FR"), days=20)
    place = register(event, "", user=x)
    x.email = "x-new@example.org"
    x.save()
    y = factories.user("y@example.org")
    EmailAddress.objects.create(user=y, email="shared@example.org", verified=True)
    from coordinators import permissions

    assert not permissions.own_registrations(y).filter(pk=place.pk).exists()
    assert not permissions.can_cancel_registration(y, place)
    services.account_delete(user=y)
    place.refresh_from_db()
    assert (place.status, place.user_id, place.anonymised_at) == (Registration.Status.CONFIRMED, x.pk, None)


def test_registering_again_renews_the_confirmation_and_its_retention():
    event = factories.published_event(factories.organisation("FR"), days=30)
    first = services.registration_create(event=event, name="A", email="again@example.org", consent=True, language="en")
    Registration.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(days=3, hours=1))
    try:
        services.registration_create(event=event, name="A", email="again@example.org", consent=True, language="en")
    except services.AlreadyRegistered as error:
        services.registration_remind_existing(registration=error.registration)
    fresh_link = services.registration_token(Registration.objects.get(pk=first.pk), "confirm")
    services.registrations_retention()
    assert Registration.objects.filter(pk=first.pk).exists()
    assert services.registration_from_token(fresh_link, "confirm").pk == first.pk


def test_a_failing_retention_run_still_books_the_next(database_tasks, monkeypatch):
    from django.db import OperationalError
    from django.tasks import TaskResultStatus
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    services.schedule_retention()
    DBTaskResult.objects.filter(task_path=services.RETENTION_TASK).update(run_after=timezone.now() - timedelta(minutes=1))

    def broken(**_kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "registrations_retention", broken)
    due = DBTaskResult.objects.ready().get(task_path=services.RETENTION_TASK)
    due.claim("test-worker")
    Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
           max_tasks=None, worker_id="test-worker", excluded_queue_names=[]).run_task(due)
    assert DBTaskResult.objects.get(pk=due.pk).status == TaskResultStatus.FAILED
    assert DBTaskResult.objects.filter(task_path=services.RETENTION_TASK, status=TaskResultStatus.READY).count() == 1
