"""Property: whatever the sequence of registrations, confirmations and cancellations, an event
never holds more confirmed places than its capacity, nobody waits while a place is free, and the
waiting list is first come, first served."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events import services
from events.models import Registration
from tests import factories

pytestmark = pytest.mark.django_db
R = Registration.Status

# "join" is a guest who registers and confirms at once, so waiting lists form often enough for the
# order to matter; "register" leaves a registration pending until a later "confirm".
operations = st.lists(
    st.tuples(st.sampled_from(["join", "join", "register", "confirm", "cancel"]), st.integers(0, 7)),
    min_size=5, max_size=40,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(capacity=st.integers(0, 4), steps=operations)
def test_capacity_and_waiting_list_order_hold(db, capacity, steps):
    event = factories.published_event(factories.organisation("FR"), capacity=capacity)
    people = {}
    joined_waiting_list = []  # the order people joined the waiting list, as the test saw it
    for action, person in steps:
        email = f"person{person}@example.org"
        current = people.get(person)
        if current is not None:
            current.refresh_from_db()
        if action in ("register", "join"):
            try:
                people[person] = services.registration_create(event=event, name="P", email=email, consent=True,
                                                              language="en")
            except services.AlreadyRegistered:
                assert current is not None and current.status in Registration.ACTIVE
            else:
                current = people[person]
        if action in ("confirm", "join") and current is not None and current.status == R.PENDING:
            confirmed = services.registration_confirm(registration=current)
            if confirmed.status == R.WAITLISTED:
                joined_waiting_list.append(confirmed.pk)
        elif action == "cancel" and current is not None:
            waiting_before = list(
                Registration.objects.filter(event=event, status=R.WAITLISTED).values_list("pk", flat=True)
            )
            was_confirmed = current.status == R.CONFIRMED
            services.registration_cancel(registration=current, by_token=True)
            if was_confirmed and waiting_before:
                # The first in line, and only they, got the place.
                head = min(waiting_before, key=joined_waiting_list.index)
                assert Registration.objects.get(pk=head).status == R.CONFIRMED
        confirmed = Registration.objects.filter(event=event, status=R.CONFIRMED).count()
        waiting = Registration.objects.filter(event=event, status=R.WAITLISTED).count()
        assert confirmed <= capacity
        assert not (waiting and confirmed < capacity), "someone waits while a place is free"
