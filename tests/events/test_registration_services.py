"""Registration rules in events.services: capacity, waiting list first come first served,
promotion on cancellation (none once the event has started), double opt-in, windows and modes,
duplicates, tokens, reminders (sent again when the event moves)."""

from datetime import timedelta

import pytest
from django.core import mail, signing
from django.utils import timezone

from events import services
from events.models import Event, Registration
from tests import factories

pytestmark = pytest.mark.django_db
R = Registration.Status


@pytest.fixture
def org(db):
    return factories.organisation("FR")


def guest(event, n, **kwargs):
    return services.registration_create(event=event, name=f"Guest {n}", email=f"guest{n}@example.org",
                                        consent=True, language="fr", **kwargs)


def confirmed_guest(event, n):
    return services.registration_confirm(registration=guest(event, n))


def test_a_guest_counts_only_once_confirmed(org):
    event = factories.published_event(org, capacity=1)
    pending = guest(event, 1)
    assert pending.status == R.PENDING and services.places_taken(event) == 0
    confirmed = services.registration_confirm(registration=pending)
    assert confirmed.status == R.CONFIRMED and services.places_taken(event) == 1
    # Confirming twice changes nothing.
    assert services.registration_confirm(registration=pending).status == R.CONFIRMED


def test_signed_in_people_get_their_place_at_once(org):
    person = factories.user("me@example.org")
    event = factories.published_event(org, capacity=1)
    registration = services.registration_create(event=event, name="Me", email="ignored@example.org", consent=True,
                                                language="en", user=person)
    assert registration.status == R.CONFIRMED and registration.email == "me@example.org"


def test_full_events_put_people_on_the_waiting_list_in_order(org):
    event = factories.published_event(org, capacity=2)
    first, second = confirmed_guest(event, 1), confirmed_guest(event, 2)
    waiting = [confirmed_guest(event, n) for n in (3, 4, 5)]
    assert [r.status for r in (first, second)] == [R.CONFIRMED, R.CONFIRMED]
    assert {r.status for r in waiting} == {R.WAITLISTED}

    services.registration_cancel(registration=second, by_token=True)
    statuses = {r.pk: r.status for r in Registration.objects.filter(event=event)}
    assert statuses[second.pk] == R.CANCELLED
    assert statuses[waiting[0].pk] == R.CONFIRMED  # first come, first served
    assert statuses[waiting[1].pk] == statuses[waiting[2].pk] == R.WAITLISTED
    assert services.places_taken(event) == 2


def test_cancelling_a_waiting_list_place_promotes_nobody(org):
    event = factories.published_event(org, capacity=1)
    confirmed_guest(event, 1)
    waiting = confirmed_guest(event, 2)
    later = confirmed_guest(event, 3)
    services.registration_cancel(registration=waiting, by_token=True)
    assert Registration.objects.get(pk=later.pk).status == R.WAITLISTED


def test_no_promotion_once_the_event_has_started():
    event = factories.published_event(factories.organisation("FR"), capacity=1)
    first = services.registration_confirm(registration=services.registration_create(
        event=event, name="A", email="a@example.org", consent=True, language="en"))
    waiting = services.registration_confirm(registration=services.registration_create(
        event=event, name="B", email="b@example.org", consent=True, language="en"))
    Event.objects.filter(pk=event.pk).update(start=timezone.now() - timedelta(minutes=5))
    services.registration_cancel(registration=first, by_token=True)
    assert Registration.objects.get(pk=waiting.pk).status == R.WAITLISTED


def test_more_capacity_moves_the_waiting_list_up(org):
    event = factories.published_event(org, capacity=1)
    confirmed_guest(event, 1)
    waiting = confirmed_guest(event, 2)
    services.event_update(user=factories.coordinator("FR"), event=event, data={"capacity": 2})
    assert Registration.objects.get(pk=waiting.pk).status == R.CONFIRMED


def test_the_same_email_twice_is_refused_without_a_duplicate(org):
    event = factories.published_event(org)
    guest(event, 1)
    with pytest.raises(services.AlreadyRegistered):
        services.registration_create(event=event, name="Again", email="  GUEST1@example.org ", consent=True, language="fr")
    assert Registration.objects.filter(event=event).count() == 1


def test_after_cancelling_one_may_register_again(org):
    event = factories.published_event(org)
    services.registration_cancel(registration=guest(event, 1), by_token=True)
    assert guest(event, 1).status == R.PENDING


def test_consent_is_required(org):
    event = factories.published_event(org)
    with pytest.raises(ValueError):
        services.registration_create(event=event, name="X", email="x@example.org", consent=False, language="en")
    assert not Registration.objects.filter(event=event).exists()


@pytest.mark.parametrize("fields, message", [
    ({"registration_mode": "external", "external_registration_url": "https://example.org/"}, "not happen on this platform"),
    ({"registration_mode": "none"}, "not happen on this platform"),
    ({"registration_opens": timezone.now() + timedelta(days=1)}, "not opened yet"),
    ({"registration_closes": timezone.now() - timedelta(hours=1)}, "closed"),
    ({"status": Event.Status.DRAFT}, "not open"),
    ({"status": Event.Status.CANCELLED}, "not open"),
])
def test_the_registration_window_and_mode_are_respected(org, fields, message):
    event = factories.published_event(org)
    Event.objects.filter(pk=event.pk).update(**fields)
    with pytest.raises(services.RegistrationClosed, match=message):
        guest(event, 1)
    assert not Registration.objects.filter(event=event).exists()


def test_started_events_take_no_registrations(org):
    event = factories.published_event(org, days=-1)
    with pytest.raises(services.RegistrationClosed):
        guest(event, 1)


def test_switching_away_from_registration_here_does_not_confirm_the_waiting_list():
    event = factories.published_event(factories.organisation("FR"), capacity=1)
    services.registration_confirm(registration=services.registration_create(
        event=event, name="A", email="a@example.org", consent=True, language="en"))
    waiting = services.registration_confirm(registration=services.registration_create(
        event=event, name="B", email="b@example.org", consent=True, language="en"))
    services.event_update(user=factories.coordinator("FR"), event=event,
                          data={"registration_mode": "external", "external_registration_url": "https://t.example.org/",
                                "capacity": None})
    assert Registration.objects.get(pk=waiting.pk).status == R.WAITLISTED


def test_account_holders_cancel_only_their_own(org):
    owner, stranger = factories.user(), factories.user()
    event = factories.published_event(org)
    registration = services.registration_create(event=event, name="O", email="", consent=True, language="en", user=owner)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.registration_cancel(registration=registration, user=stranger)
    assert Registration.objects.get(pk=registration.pk).status == R.CONFIRMED
    services.registration_cancel(registration=registration, user=owner)
    assert Registration.objects.get(pk=registration.pk).status == R.CANCELLED


def test_tokens_are_bound_to_their_purpose_and_expire(org, monkeypatch):
    registration = guest(factories.published_event(org), 1)
    confirm = services.registration_token(registration, "confirm")
    assert services.registration_from_token(confirm, "confirm") == registration
    with pytest.raises(services.InvalidToken):
        services.registration_from_token(confirm, "cancel")  # a confirm link cannot cancel
    with pytest.raises(services.InvalidToken):
        services.registration_from_token(confirm[:-3] + "abc", "confirm")
    with pytest.raises(services.InvalidToken):
        services.registration_from_token(signing.dumps({"r": registration.pk, "a": "confirm"}, salt="other"), "confirm")
    monkeypatch.setitem(services.TOKEN_MAX_AGE, "confirm", -1)
    with pytest.raises(services.InvalidToken):
        services.registration_from_token(confirm, "confirm")


def test_cancelling_an_event_tells_its_registrants(org, django_capture_on_commit_callbacks):
    event = factories.published_event(org)
    registration = services.registration_confirm(registration=guest(event, 1))
    member = factories.user()
    org.members.add(member)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.event_cancel(user=member, event=event, message="La salle est inondée.")
    to_registrant = [m for m in mail.outbox if m.to == [registration.email]]
    assert to_registrant and "La salle est inondée." in to_registrant[0].body


def test_reminders_go_once_to_confirmed_registrations_of_events_soon(org, django_capture_on_commit_callbacks, settings):
    settings.EYOS_REMINDER_BEFORE = timedelta(hours=24)
    soon = factories.published_event(org, days=0, start=timezone.now() + timedelta(hours=5),
                                     end=timezone.now() + timedelta(hours=7))
    later = factories.published_event(org, days=5)
    due = services.registration_confirm(registration=guest(soon, 1))
    guest(soon, 2)  # pending: no reminder
    services.registration_confirm(registration=guest(later, 3))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send() == 0  # never twice
    assert [m.to for m in mail.outbox] == [[due.email]]
    assert mail.outbox[0].attachments[0][2].startswith("text/calendar")


def test_registrants_hear_of_a_new_time_and_get_their_reminder_again(django_capture_on_commit_callbacks):
    event = factories.published_event(factories.organisation("FR"), capacity=5)
    registration = services.registration_confirm(registration=services.registration_create(
        event=event, name="A", email="a@example.org", consent=True, language="en"))
    Registration.objects.filter(pk=registration.pk).update(reminder_sent_at=timezone.now())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.event_update(user=factories.coordinator("FR"), event=event,
                              data={"start": event.start + timedelta(days=1), "end": event.end + timedelta(days=1)})
    assert [m.to for m in mail.outbox if "New time or place" in m.subject] == [["a@example.org"]]
    assert Registration.objects.get(pk=registration.pk).reminder_sent_at is None
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.event_update(user=factories.coordinator("FR"), event=event, data={"title": "Only the title"})
    assert not mail.outbox  # nothing that moves it in calendars: no email
