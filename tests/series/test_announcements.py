"""Organisers' messages to an event's registrants: once per person, in their language."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from wagtail.models import ModelLogEntry

from events import delivery
from events.models import EmailDelivery, Event, Registration
from series import services
from series.models import Announcement
from series.tasks import send_announcement
from tests import factories

pytestmark = pytest.mark.django_db
S = Registration.Status


@pytest.fixture
def organiser(db):
    return factories.user()


@pytest.fixture
def event(organiser):
    return factories.published_event(factories.organisation("FR", members=[organiser]), capacity=2)


def register(event, email, language="en", status=S.CONFIRMED):
    return Registration.objects.create(event=event, name="P", email=email, language=language, status=status,
                                       consent_at=timezone.now())


def send(organiser, event, capture, **extra):
    values = {"language": "en", "subject": "Room change", "body": "We meet in room 4."}
    values.update(extra)
    with capture(execute=True):
        return services.announcement_send(user=organiser, event=event, **values)


def test_sent_once_to_each_confirmed_registrant_in_their_language(organiser, event, django_capture_on_commit_callbacks):
    register(event, "fr@example.org", "fr")
    register(event, "de@example.org", "de")
    register(event, "wait@example.org", status=S.WAITLISTED)
    register(event, "pending@example.org", status=S.PENDING)
    register(event, "gone@example.org", status=S.CANCELLED)
    mail.outbox.clear()
    send(organiser, event, django_capture_on_commit_callbacks,
         translations={"fr": {"subject": "Changement de salle", "body": "Salle 4."}})
    by_address = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_address) == ["de@example.org", "fr@example.org"]
    assert by_address["fr@example.org"].subject == "Changement de salle"
    assert "Salle 4." in by_address["fr@example.org"].body
    assert by_address["de@example.org"].subject == "Room change"  # no German version: the default one
    assert "We meet in room 4." in by_address["de@example.org"].body


def test_the_waiting_list_is_optional(organiser, event, django_capture_on_commit_callbacks):
    register(event, "in@example.org")
    register(event, "wait@example.org", status=S.WAITLISTED)
    mail.outbox.clear()
    send(organiser, event, django_capture_on_commit_callbacks, include_waitlist=True)
    assert sorted(m.to[0] for m in mail.outbox) == ["in@example.org", "wait@example.org"]


def test_rate_limit_per_event_and_day(organiser, event, django_capture_on_commit_callbacks):
    for _ in range(3):
        send(organiser, event, django_capture_on_commit_callbacks)
    with pytest.raises(services.TooManyAnnouncements):
        send(organiser, event, django_capture_on_commit_callbacks)
    Announcement.objects.update(created_at=timezone.now() - timezone.timedelta(days=1, minutes=1))
    send(organiser, event, django_capture_on_commit_callbacks)  # a day later


def test_another_organisations_organiser_and_coordinators_are_refused(event, django_capture_on_commit_callbacks):
    for person in (factories.user(), factories.organisation("FR", members=[factories.user()]).members.get(),
                   factories.coordinator("DE")):
        with pytest.raises(PermissionDenied):
            send(person, event, django_capture_on_commit_callbacks)
    assert not Announcement.objects.exists()


def test_only_published_events(organiser, event, django_capture_on_commit_callbacks):
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
    with pytest.raises(ValidationError):
        send(organiser, event, django_capture_on_commit_callbacks)


def test_audit_log_and_records_hold_no_address(organiser, event, django_capture_on_commit_callbacks):
    register(event, "private.person@example.org")
    announcement = send(organiser, event, django_capture_on_commit_callbacks)
    entry = ModelLogEntry.objects.get(object_id=str(event.pk), action="eyos.event.announce")
    assert entry.data["recipients"] == 1 and entry.data["announcement"] == announcement.pk
    assert "private.person" not in str(entry.data)
    assert "private.person" not in str(list(EmailDelivery.objects.values()))
    assert "private.person" not in str(list(Announcement.objects.values()))


def test_a_worker_killed_mid_task_sends_no_duplicate(organiser, event, monkeypatch, django_capture_on_commit_callbacks):
    """The task taken up again (retry, or its worker died) sends only what was not sent yet."""
    people = [register(event, f"p{n}@example.org") for n in range(2)]
    event.capacity = 5
    event.save()
    register(event, "p2@example.org")
    real_send = mail.EmailMessage.send
    calls = []

    def dies_on_second(self, *args, **kwargs):
        calls.append(self.to[0])
        if len(calls) == 2:
            raise ConnectionRefusedError("worker killed")
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(mail.EmailMessage, "send", dies_on_second)
    mail.outbox.clear()
    announcement = send(organiser, event, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    monkeypatch.setattr(mail.EmailMessage, "send", real_send)
    assert send_announcement.call(announcement_id=announcement.pk) == 2  # the rest
    assert send_announcement.call(announcement_id=announcement.pk) == 0  # and never again
    assert sorted(m.to[0] for m in mail.outbox) == ["p0@example.org", "p1@example.org", "p2@example.org"]
    key = f"announcement:{announcement.pk}:registration:{people[0].pk}"
    assert mail.outbox[0].extra_headers["Message-ID"] == delivery.message_id(key)


def test_announcement_page(client, organiser, event):
    register(event, "someone@example.org")
    client.force_login(organiser)
    url = f"/en/organise/events/{event.uid}/message/"
    assert url in client.get(f"/en/organise/events/{event.uid}/").content.decode()
    page = client.post(url, {"language": "en", "subject": "", "body": "x" * 3000, "language_1": "fr"})
    content = page.content.decode()
    assert page.status_code == 200 and "error-summary" in content and 'href="#id_subject"' in content
    assert not Announcement.objects.exists()
    response = client.post(url, {"language": "en", "subject": "Hello", "body": "See you.",
                                 "language_1": "fr", "subject_1": "Bonjour", "body_1": "À bientôt."})
    assert response.status_code == 302
    assert Announcement.objects.get().translations == {"fr": {"subject": "Bonjour", "body": "À bientôt."}}
    client.force_login(factories.user())
    assert client.get(url).status_code == 404


def test_length_limits_hold_in_the_service(organiser, event, django_capture_on_commit_callbacks):
    with pytest.raises(ValidationError):
        send(organiser, event, django_capture_on_commit_callbacks, body="x" * 2001)
    with pytest.raises(ValidationError):
        send(organiser, event, django_capture_on_commit_callbacks,
             translations={"fr": {"subject": "Salut", "body": "x" * 2001}})
    with pytest.raises(ValidationError):
        send(organiser, event, django_capture_on_commit_callbacks, translations={"fr": {"subject": "", "body": "x"}})
    assert not Announcement.objects.exists()
