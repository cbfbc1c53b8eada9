"""An event's public page shows only what holds: a cancelled event's page offers no places, join
link or calendar links; an online event's join link is for its registrants only (their
confirmation email, never the page or a public feed); and its structured data cannot break out of
its script element."""

import pytest
from django.core import mail

from events import services
from events.models import Event
from tests import factories
from tests.pages import page

pytestmark = pytest.mark.django_db
S = Event.Status


@pytest.fixture
def users(users):
    """The demo accounts, reading the admin in English (factories.in_english)."""
    return factories.in_english(users)


# A cancelled event's page ----------------------------------------------------------------------


def hybrid_event(**fields):
    return factories.published_event(
        factories.organisation("FR"), capacity=20, format="hybrid", online_url="https://meet.example.org/room-42",
        **fields,
    )


def test_a_cancelled_event_shows_no_places_online_note_or_calendar_links(client, users):
    event = hybrid_event()
    before = page(client.get(f"/en/events/{event.uid}/"))
    assert "Places left" in before and "20 / 20" in before
    assert "the link is in your confirmation email" in before
    assert "Add to my calendar (.ics)" in before and "calendar.google.com" in before and "outlook.live.com" in before

    services.event_cancel(user=users["coordinator-fr"], event=event, message="The room is flooded.")
    response = client.get(f"/en/events/{event.uid}/")
    assert response.status_code == 200
    after = page(response)
    assert "This event is cancelled." in after and "The room is flooded." in after
    assert "Places left" not in after and "20 / 20" not in after
    assert "the link is in your confirmation email" not in after
    assert "https://meet.example.org/room-42" not in after
    assert "Add to my calendar (.ics)" not in after and "Add to Google Calendar" not in after
    assert "Add to Outlook" not in after
    assert "calendar.google.com" not in after and "outlook.live.com" not in after
    # The event's own .ics still tells calendars that already hold it.
    ics = client.get(f"/feeds/events/{event.uid}.ics")
    assert ics.status_code == 200 and b"STATUS:CANCELLED" in ics.content


def test_a_cancelled_event_with_open_registration_elsewhere_shows_no_join_link(client, users):
    event = hybrid_event(registration_mode="none")
    assert "https://meet.example.org/room-42" in page(client.get(f"/en/events/{event.uid}/"))
    event.status = S.CANCELLED
    event.save(update_fields=["status"])  # a save, as services make: its signal refreshes cached pages
    after = page(client.get(f"/en/events/{event.uid}/"))
    assert "https://meet.example.org/room-42" not in after and "This event is cancelled." in after


def test_a_cancelled_event_without_registration_says_cancelled_in_the_registration_box(client, db):
    from tests import factories

    event = factories.published_event(factories.organisation("FR"), registration_mode="none", capacity=None)
    event.status = "cancelled"
    event.save()
    aside = client.get(f"/en/events/{event.uid}/").content.decode().split('class="event-register', 1)[1]
    assert "No registration needed." not in aside and "This event is cancelled." in aside


# What the page never shows ---------------------------------------------------------------------


def test_the_join_link_is_for_registrants_only(client, django_capture_on_commit_callbacks):
    secret = "https://meet.example.org/secret-room-42"
    event = factories.published_event(factories.organisation("FR"), format="online", online_url=secret,
                                      address="", city="", capacity=5)
    for url in (f"/en/events/{event.uid}/", f"/feeds/events/{event.uid}.ics", "/feeds/countries/fr.ics",
                "/feeds/events.ics?country=FR"):
        assert secret not in client.get(url).content.decode(), url
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_confirm(registration=services.registration_create(
            event=event, name="A", email="a@example.org", consent=True, language="en"))
    confirmation = mail.outbox[-1]
    assert secret in confirmation.body and secret in str(confirmation.attachments[0][1])


def test_json_ld_cannot_break_out_of_its_script_element(client):
    event = factories.published_event(factories.organisation("FR"), title="Hack </script><script>alert(1)</script>",
                                      summary="<!--<script>")
    html = client.get(f"/en/events/{event.uid}/").content.decode()
    block = html.split('<script type="application/ld+json">')[1].split("</script>")[0]
    assert "<" not in block and "\\u003C/script\\u003E" in block


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_guests_empty_registration_form_is_the_form_in_the_readers_language(client, language):
    """Drawn once per process and language (events.views.public.blank_registration_form): the
    same fields, labels and ids as the form drawn for the page."""
    from django.template.loader import render_to_string
    from django.utils import translation

    from events.forms import RegistrationForm

    event = factories.published_event(factories.organisation("FR"), capacity=5)
    body = client.get(f"/{language}/events/{event.uid}/").content.decode()
    with translation.override(language):
        drawn = render_to_string("events/organise/_form.html", {"form": RegistrationForm()})
    assert 'name="email"' in drawn and drawn in body
    assert ("Your email address" in body) == (language == "en")
