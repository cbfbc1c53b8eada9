"""No overbooking under concurrency, on PostgreSQL (`make test-pg`).

Each request runs in its own thread with its own database connection, as two app servers would;
a barrier releases them together. The data is committed by a helper thread (the test's own
connection sits in a transaction the others could not see) and removed at the end.

A negative control first shows the test can fail: with the row lock switched off (and the gap
between counting and taking a place widened), the same run oversells."""

import threading
import time
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from events import services
from events.services import registrations as registration_services
from events.models import Event, Organisation, Registration
from tests.threads import in_thread

pytestmark = [pytest.mark.pg, pytest.mark.django_db]
R = Registration.Status


def concurrently(calls):
    """Run the calls at the same moment, one thread (and connection) each."""
    barrier = threading.Barrier(len(calls))
    errors, threads = [], []

    def run(call):
        try:
            barrier.wait()
            call()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    for call in calls:
        threads.append(threading.Thread(target=run, args=(call,)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def make_event(capacity):
    org = Organisation.objects.create(name="Race Org", slug=f"race-{uuid.uuid4().hex[:8]}", country="FR")
    start = timezone.now() + timedelta(days=5)
    event = Event.objects.create(
        title="Race", slug=f"race-{uuid.uuid4().hex[:8]}", summary="x", country="FR", organisation=org,
        start=start, end=start + timedelta(hours=1), timezone="Europe/Paris", city="Lyon", address="1 rue",
        status=Event.Status.PUBLISHED, capacity=capacity,
    )
    return event.pk


def cleanup(event_pk):
    event = Event.objects.get(pk=event_pk)
    org = event.organisation
    event.delete()
    org.delete()


def counts(event_pk):
    rows = Registration.objects.filter(event_id=event_pk)
    return {status: rows.filter(status=status).count() for status in R.values}


def pending_registrations(event_pk, n):
    event = Event.objects.get(pk=event_pk)
    return [
        services.registration_create(event=event, name=f"P{i}", email=f"p{i}@example.org", consent=True, language="en").pk
        for i in range(n)
    ]


@pytest.fixture
def race(monkeypatch):
    """An event with 10 places and 50 guests who registered; their confirmations race."""
    monkeypatch.setattr(registration_services, "_race_window", lambda: time.sleep(0.02))
    event_pk = in_thread(make_event, 10)
    registration_pks = in_thread(pending_registrations, event_pk, 50)
    yield event_pk, registration_pks
    in_thread(cleanup, event_pk)


def confirm_calls(registration_pks):
    return [
        (lambda pk=pk: services.registration_confirm(registration=Registration.objects.get(pk=pk)))
        for pk in registration_pks
    ]


def test_negative_control_without_the_lock_the_race_oversells(race, monkeypatch):
    event_pk, registration_pks = race
    # The same code without the row lock (SELECT … FOR UPDATE) on the event.
    monkeypatch.setattr(registration_services, "_event_for_registration",
                        lambda event_pk: Event.objects.get(pk=event_pk))
    concurrently(confirm_calls(registration_pks))
    assert in_thread(counts, event_pk)[R.CONFIRMED] > 10


def test_fifty_concurrent_confirmations_for_ten_places(race):
    event_pk, registration_pks = race
    errors = concurrently(confirm_calls(registration_pks))
    assert errors == []
    result = in_thread(counts, event_pk)
    assert (result[R.CONFIRMED], result[R.WAITLISTED], result[R.PENDING]) == (10, 40, 0)


def test_fifty_concurrent_signed_in_registrations_for_ten_places(monkeypatch):
    from django.contrib.auth import get_user_model

    monkeypatch.setattr(registration_services, "_race_window", lambda: time.sleep(0.02))
    event_pk = in_thread(make_event, 10)
    tag = uuid.uuid4().hex[:6]
    users = in_thread(lambda: [
        get_user_model().objects.create_user(email=f"race-{tag}-{i}@example.org", password="x-long-password-1").pk
        for i in range(50)
    ])
    try:
        def register(pk):
            user = get_user_model().objects.get(pk=pk)
            services.registration_create(event=Event(pk=event_pk), name="R", email="", consent=True,
                                         language="en", user=user)

        errors = concurrently([(lambda pk=pk: register(pk)) for pk in users])
        assert errors == []
        result = in_thread(counts, event_pk)
        assert (result[R.CONFIRMED], result[R.WAITLISTED]) == (10, 40)
    finally:
        in_thread(cleanup, event_pk)
        in_thread(lambda: get_user_model().objects.filter(pk__in=users).delete())


def test_cancellations_racing_registrations_never_oversell(race):
    """10 confirmed and 10 waiting; 10 cancellations race 20 new confirmations. Every freed place
    goes to the waiting list first, in order, and the event never holds more than 10."""
    event_pk, registration_pks = race
    first, waiting, newcomers = registration_pks[:10], registration_pks[10:20], registration_pks[20:40]
    for pk in first + waiting:  # in order: 10 places, then the waiting list
        in_thread(lambda pk=pk: services.registration_confirm(registration=Registration.objects.get(pk=pk)))
    cancels = [
        (lambda pk=pk: services.registration_cancel(registration=Registration.objects.get(pk=pk), by_token=True))
        for pk in first
    ]
    errors = concurrently(cancels + confirm_calls(newcomers))
    assert errors == []
    result = in_thread(counts, event_pk)
    assert result[R.CONFIRMED] == 10 and result[R.CANCELLED] == 10
    statuses = in_thread(lambda: dict(Registration.objects.filter(pk__in=waiting).values_list("pk", "status")))
    assert set(statuses.values()) == {R.CONFIRMED}  # the waiting list went first
