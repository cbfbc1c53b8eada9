"""Who gets the link to join an online event: one rule (Event.join_link_for) for the event page,
the emails and their calendar files."""

import pytest

from events.models import Event, Registration

from .. import factories

pytestmark = pytest.mark.django_db
R = Registration.Status


@pytest.mark.parametrize(("fmt", "mode", "status", "place", "shown"), [
    ("online", "platform", "published", R.CONFIRMED, True),
    ("hybrid", "platform", "published", R.CONFIRMED, True),
    ("online", "platform", "published", R.WAITLISTED, False),
    ("online", "platform", "published", R.PENDING, False),
    ("online", "platform", "published", R.CANCELLED, False),
    ("online", "platform", "published", None, False),
    ("online", "external", "published", None, True),
    ("online", "none", "published", None, True),
    ("online", "platform", "cancelled", R.CONFIRMED, False),
    ("online", "external", "cancelled", None, False),
    ("onsite", "none", "published", None, False),
])
def test_the_rule(fmt, mode, status, place, shown):
    event = Event(format=fmt, registration_mode=mode, status=status,
                  online_url="" if fmt == "onsite" else "https://meet.example.org/room-7")
    registration = Registration(status=place) if place else None
    assert event.join_link_for(registration) == ("https://meet.example.org/room-7" if shown else "")


def test_the_emails_follow_it(mailoutbox, django_capture_on_commit_callbacks):
    from events import services

    event = factories.published_event(factories.organisation("FR"), capacity=1, format="online",
                                      online_url="https://meet.example.org/room-7")
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_create(event=event, name="Ana", email="ana@example.org", consent=True, language="en",
                                     user=factories.user(email="ana@example.org"))
        services.registration_create(event=event, name="Bo", email="bo@example.org", consent=True, language="en",
                                     user=factories.user(email="bo@example.org"))
    to_ana = [m for m in mailoutbox if m.to == ["ana@example.org"]]
    to_bo = [m for m in mailoutbox if m.to == ["bo@example.org"]]
    assert to_ana and all_have(to_ana, "https://meet.example.org/room-7")
    assert to_bo and not any("room-7" in m.body or any("room-7" in str(a[1]) for a in m.attachments) for m in to_bo)


def all_have(messages, link):
    confirmed = [m for m in messages if m.attachments]
    return confirmed and all(link in m.body and link in str(m.attachments[0][1]) for m in confirmed)
