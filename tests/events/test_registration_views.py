"""Registration as people meet it: the guest path through the outbox, one-click registration,
my registrations (a guest's under an account's address too), signed links, bad input, the honeypot
and rate limits."""

import re
import zoneinfo
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from events import services
from events.models import Registration
from tests import factories

pytestmark = pytest.mark.django_db
R = Registration.Status


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def event(db):
    return factories.published_event(factories.organisation("FR"), capacity=1, title="Atelier CV")


def french(msgid, **params):
    """The French catalogue's text, which must exist (not fall back to English)."""
    from django.utils import translation

    with translation.override("fr"):
        text = translation.gettext(msgid)
    assert text != msgid, f"not translated into French: {msgid}"
    return text % params if params else text


def link(message, kind):
    assert re.search(rf"/registrations/{kind}/", message.body), (message.subject, message.body)
    return re.search(rf"http://testserver(/\w\w/registrations/{kind}/[^/\s]+/)", message.body).group(1)


def register(client, event, name, email, language="en", **extra):
    data = {"name": name, "email": email, "consent": "on", **extra}
    return client.post(f"/{language}/events/{event.uid}/register/", data)


def test_the_whole_guest_path_through_the_outbox(client, event, django_capture_on_commit_callbacks, settings):
    with django_capture_on_commit_callbacks(execute=True):
        page = register(client, event, "Anne", "anne@example.org", language="fr")
    assert page.status_code == 200 and "anne@example.org" in page.content.decode()
    request = mail.outbox[-1]
    # In her language.
    assert request.to == ["anne@example.org"]
    assert request.subject == french("Please confirm your registration: %(title)s", title="Atelier CV")
    confirm = link(request, "confirm")
    assert client.get(confirm, follow=True).status_code == 200  # a page with a button: link scanners confirm nothing
    assert Registration.objects.get(email="anne@example.org").status == R.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        client.post(confirm)
    assert Registration.objects.get(email="anne@example.org").status == R.CONFIRMED
    confirmed = mail.outbox[-1]
    assert confirmed.attachments and confirmed.attachments[0][0].endswith(".ics")

    # Bob registers in English; the event is full, so he waits.
    with django_capture_on_commit_callbacks(execute=True):
        register(client, event, "Bob", "bob@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(link(mail.outbox[-1], "confirm"))
    assert "waiting list" in mail.outbox[-1].subject

    # The reminder, a day before, with the calendar file.
    event.start = timezone.now() + timedelta(hours=3)
    event.end = event.start + timedelta(hours=2)
    event.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_send()
    reminder = mail.outbox[-1]
    assert reminder.to == ["anne@example.org"] and reminder.subject == french("Reminder: %(title)s", title="Atelier CV")
    assert str(reminder.attachments[0][1]).startswith("BEGIN:VCALENDAR")

    # Anne cancels from the link in her email; Bob gets her place and an email saying so.
    cancel = link(reminder, "cancel")
    assert french("Cancel your registration?") in client.get(cancel, follow=True).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(cancel)
    assert Registration.objects.get(email="anne@example.org").status == R.CANCELLED
    assert Registration.objects.get(email="bob@example.org").status == R.CONFIRMED
    subjects = {m.to[0]: m.subject for m in mail.outbox[-2:]}
    assert "A place is free for you" in subjects["bob@example.org"]
    assert subjects["anne@example.org"] == french("Your registration is cancelled: %(title)s", title="Atelier CV")


def test_signed_in_people_register_in_one_click(client, event, users):
    client.force_login(users["citizen"])
    response = client.post(f"/en/events/{event.uid}/register/", {"consent": "True"}, follow=True)
    assert "Your place is confirmed" in response.content.decode()
    assert Registration.objects.get(event=event, user=users["citizen"]).status == R.CONFIRMED
    again = client.post(f"/en/events/{event.uid}/register/", {"consent": "True"}, follow=True)
    assert "already registered" in again.content.decode()
    assert Registration.objects.filter(event=event).count() == 1


def test_my_registrations_and_cancelling_there(client, event, users):
    client.force_login(users["citizen"])
    client.post(f"/en/events/{event.uid}/register/", {"consent": "True"})
    registration = Registration.objects.get(event=event, user=users["citizen"])
    page = client.get("/en/registrations/").content.decode()
    assert event.title in page
    client.force_login(users["organiser"])  # someone else cannot cancel it
    assert client.post(f"/en/registrations/{registration.pk}/cancel/").status_code == 404
    client.force_login(users["citizen"])
    client.post(f"/en/registrations/{registration.pk}/cancel/")
    assert Registration.objects.get(pk=registration.pk).status == R.CANCELLED


def test_a_guest_registration_with_an_accounts_address_shows_for_that_account(client, users):
    event = factories.published_event(factories.organisation("FR"))
    registration = services.registration_create(event=event, name="C", email=users["citizen"].email.upper(),
                                                consent=True, language="en")
    client.force_login(users["citizen"])
    assert event.title in client.get("/en/registrations/").content.decode()
    client.post(f"/en/registrations/{registration.pk}/cancel/")
    assert Registration.objects.get(pk=registration.pk).status == R.CANCELLED


BAD_INPUT = {
    "invalid email": ({"email": "not-an-email"}, "email"),
    "10,000-character name": ({"name": "x" * 10_000}, "name"),
    "blank name": ({"name": "   "}, "name"),
    "missing consent": ({"consent": ""}, "consent"),
    "huge email": ({"email": "a" * 300 + "@example.org"}, "email"),
}


@pytest.mark.parametrize("overrides, field", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_gives_a_field_error_and_saves_nothing(client, event, overrides, field):
    data = {"name": "Anne", "email": "anne@example.org", "consent": "on", **overrides}
    response = client.post(f"/en/events/{event.uid}/register/", {k: v for k, v in data.items() if v})
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Registration.objects.filter(event=event).exists()


def test_a_double_submit_keeps_one_registration(client, event):
    first = register(client, event, "Anne", "anne@example.org")
    second = register(client, event, "Anne", "anne@example.org")
    assert first.status_code == second.status_code == 200
    assert first.content.decode().count("Check your email") == second.content.decode().count("Check your email")
    assert Registration.objects.filter(event=event).count() == 1


def test_same_answer_whether_or_not_the_email_has_an_account(client, event, users):
    with_account = register(client, event, "C", users["citizen"].email)
    without = register(client, event, "N", "nobody-here@example.org")
    normalise = lambda r: r.content.decode().replace(users["citizen"].email, "X").replace("nobody-here@example.org", "X")  # noqa: E731
    assert with_account.status_code == without.status_code
    assert normalise(with_account).replace(r"csrfmiddlewaretoken", "") .split("<main")[1].split("</main>")[0] == \
        normalise(without).split("<main")[1].split("</main>")[0]


def test_the_honeypot_saves_nothing_and_looks_the_same(client, event):
    response = register(client, event, "Bot", "bot@example.org", website="http://spam.example")
    assert response.status_code == 200 and "Check your email" in response.content.decode()
    assert not Registration.objects.filter(event=event).exists()
    assert not mail.outbox


def test_rate_limits_answer_429_with_a_friendly_page(client, event, settings):
    settings.EYOS_REGISTRATION_RATE = {"ip": (3, 3600), "email": (2, 3600)}
    for n in range(2):
        assert register(client, event, "A", "same@example.org").status_code == 200
    limited = register(client, event, "A", "same@example.org")
    assert limited.status_code == 429 and "try again later" in limited.content.decode()
    assert register(client, event, "B", "other@example.org").status_code == 429  # the IP limit (3)
    assert Registration.objects.filter(event=event).count() == 1


def test_email_rate_limit_cannot_be_dodged_with_spaces_or_case(client, settings):
    from django.core.cache import cache

    cache.clear()
    settings.EYOS_REGISTRATION_RATE = {"ip": (100, 3600), "email": (2, 3600)}
    event = factories.published_event(factories.organisation("FR"))
    codes = [client.post(f"/en/events/{event.uid}/register/", {
        "name": "A", "email": " " * n + ("VICTIM@example.org" if n % 2 else "victim@example.org"), "consent": "on",
    }).status_code for n in range(5)]
    assert codes[:2] == [200, 200] and set(codes[2:]) == {429}


@pytest.mark.parametrize("path", [
    "/en/registrations/confirm/garbage/", "/en/registrations/cancel/garbage/",
    "/en/registrations/cancel/eyJyIjoxLCJhIjoiY2FuY2VsIn0:1xWXb3:forgedsignatureforgedsignature00/",
])
def test_tampered_links_change_nothing_and_give_a_clear_page(client, event, path):
    registration = services.registration_create(event=event, name="A", email="a@example.org", consent=True, language="en")
    for method in (client.get, client.post):
        response = method(path)
        assert response.status_code == 400 and "This link does not work" in response.content.decode()
    assert Registration.objects.get(pk=registration.pk).status == R.PENDING


def test_expired_confirmation_links_change_nothing(client, event, monkeypatch):
    registration = services.registration_create(event=event, name="A", email="a@example.org", consent=True, language="en")
    token = services.registration_token(registration, "confirm")
    monkeypatch.setitem(services.TOKEN_MAX_AGE, "confirm", -1)
    response = client.post(f"/en/registrations/confirm/{token}/")
    assert response.status_code == 400
    assert Registration.objects.get(pk=registration.pk).status == R.PENDING


def test_a_cancelled_registration_cannot_be_confirmed(client, event):
    registration = services.registration_create(event=event, name="A", email="a@example.org", consent=True, language="en")
    token = services.registration_token(registration, "confirm")
    services.registration_cancel(registration=registration, by_token=True)
    assert client.post(f"/en/registrations/confirm/{token}/").status_code == 400
    assert Registration.objects.get(pk=registration.pk).status == R.CANCELLED


def test_external_registration_links_out(client, db):
    event = factories.published_event(factories.organisation("FR"), registration_mode="external",
                                      external_registration_url="https://tickets.example.org/e/1")
    page = client.get(f"/en/events/{event.uid}/").content.decode()
    assert "https://tickets.example.org/e/1" in page and 'action="/en/events/' not in page
    response = register(client, event, "A", "a@example.org", language="en")
    assert not Registration.objects.filter(event=event).exists()
    assert response.status_code == 302


def test_tampered_replayed_and_expired_links_each_change_nothing(client, event, monkeypatch):
    """Every registration row (all its fields) and the outbox are the same after each attempt."""
    from django.core import mail
    from django.forms.models import model_to_dict

    def snapshot():
        return [model_to_dict(r) for r in Registration.objects.filter(event=event).order_by("pk")], len(mail.outbox)

    first = services.registration_create(event=event, name="A", email="a@example.org", consent=True, language="en")
    confirm = services.registration_token(first, "confirm")
    cancel = services.registration_token(first, "cancel")
    assert client.post(f"/en/registrations/confirm/{confirm}/").status_code in (200, 302)
    assert client.post(f"/en/registrations/cancel/{cancel}/").status_code in (200, 302)
    # The person registers again: a new registration, a new place.
    again = services.registration_create(event=event, name="A", email="a@example.org", consent=True, language="en")
    client.post(f"/en/registrations/confirm/{services.registration_token(again, 'confirm')}/")
    assert Registration.objects.get(pk=again.pk).status == R.CONFIRMED
    fresh_cancel = services.registration_token(again, "cancel")
    head, signature = fresh_cancel.rsplit(":", 1)
    attempts = {
        "tampered": f"/en/registrations/cancel/{head}:{signature[::-1]}/",
        "other purpose": f"/en/registrations/cancel/{services.registration_token(again, 'confirm')}/",
        "replayed cancel": f"/en/registrations/cancel/{cancel}/",  # the first registration's link
        "replayed confirm": f"/en/registrations/confirm/{confirm}/",
    }
    for name, path in attempts.items():
        before = snapshot()
        client.post(path)
        assert snapshot() == before, name
    monkeypatch.setitem(services.TOKEN_MAX_AGE, "cancel", -1)
    before = snapshot()
    response = client.post(f"/en/registrations/cancel/{fresh_cancel}/")
    assert response.status_code == 400 and snapshot() == before, "expired"
    assert Registration.objects.get(pk=again.pk).status == R.CONFIRMED


def test_confirmation_cancel_and_my_registrations_pages_give_the_time_with_its_zone(
        client, db, users, django_capture_on_commit_callbacks):
    """Times are the event's own clock, so each says which zone it is (issue 19): Lisbon's event
    shows WET or WEST, whatever the visitor's zone."""
    event = factories.published_event(factories.organisation("PT"), capacity=5, title="Oficina",
                                      timezone="Europe/Lisbon")
    zone = event.start.astimezone(zoneinfo.ZoneInfo("Europe/Lisbon")).tzname()
    assert zone in ("WET", "WEST")
    with django_capture_on_commit_callbacks(execute=True):
        register(client, event, "Ana", "ana@example.org")
    response = client.get(link(mail.outbox[-1], "confirm"), follow=True)
    assert f'<abbr class="event-zone" title="Europe/Lisbon">{zone}</abbr>' in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response.redirect_chain[-1][0])  # the page's button
    assert Registration.objects.get(email="ana@example.org").status == R.CONFIRMED
    cancel = client.get(link(mail.outbox[-1], "cancel"), follow=True).content.decode()
    assert f'<abbr class="event-zone" title="Europe/Lisbon">{zone}</abbr>' in cancel
    client.force_login(users["citizen"])
    client.post(f"/en/events/{event.uid}/register/", {"consent": "True"})
    assert f'title="Europe/Lisbon">{zone}</abbr>' in client.get("/en/registrations/").content.decode()
