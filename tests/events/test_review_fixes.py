"""Regressions found in review: each of these was a real defect once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import RequestFactory
from django.utils import timezone

from events import ratelimit, services
from events.models import Event, Registration, Topic
from tests import factories

pytestmark = pytest.mark.django_db
R = Registration.Status


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


@pytest.mark.parametrize("proxies, forwarded, remote, expected", [
    (0, "1.1.1.1", "10.0.0.1", "10.0.0.1"),               # no proxy: the header is the client's, ignored
    (1, "6.6.6.6, 2.2.2.2", "10.0.0.1", "2.2.2.2"),      # the entry our balancer appended, not the forged one
    (2, "6.6.6.6, 3.3.3.3, 10.1.1.1", "10.0.0.1", "3.3.3.3"),
    (1, "", "10.0.0.1", "10.0.0.1"),
])
def test_client_ip_trusts_only_the_configured_proxies(settings, proxies, forwarded, remote, expected):
    settings.EYOS_TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=remote)
    assert ratelimit.client_ip(request) == expected


def test_email_rate_limit_cannot_be_dodged_with_spaces_or_case(client, settings):
    from django.core.cache import cache

    cache.clear()
    settings.EYOS_REGISTRATION_RATE = {"ip": (100, 3600), "email": (2, 3600)}
    event = factories.published_event(factories.organisation("FR"))
    codes = [client.post(f"/en/events/{event.uid}/register/", {
        "name": "A", "email": " " * n + ("VICTIM@example.org" if n % 2 else "victim@example.org"), "consent": "on",
    }).status_code for n in range(5)]
    assert codes[:2] == [200, 200] and set(codes[2:]) == {429}


def test_places_left_is_right_with_several_topics_selected(client):
    event = factories.published_event(factories.organisation("EE"), capacity=4, title="Two topics")
    event.topics.add(*Topic.objects.filter(slug__in=["digital-skills", "green-skills"], locale__language_code="en"))
    for n in range(2):
        services.registration_confirm(registration=services.registration_create(
            event=event, name="P", email=f"p{n}@example.org", consent=True, language="en"))
    response = client.get("/en/events/?country=EE&topic=digital-skills&topic=green-skills")
    (shown,) = [e for e in response.context["page"].object_list if e.pk == event.pk]
    assert shown.places_left == 2


@pytest.mark.parametrize("url", ["/en/events/?to=9999-12-31", "/en/events/?from=0001-01-01",
                                 "/feeds/events.ics?to=9999-12-31", "/admin/coordinators/?older_than=100000000"])
def test_extreme_dates_are_errors_not_crashes(client, users, url):
    client.force_login(users["admin"])
    assert client.get(url).status_code in (200, 400)


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


def test_no_promotion_once_the_event_has_started():
    event = factories.published_event(factories.organisation("FR"), capacity=1)
    first = services.registration_confirm(registration=services.registration_create(
        event=event, name="A", email="a@example.org", consent=True, language="en"))
    waiting = services.registration_confirm(registration=services.registration_create(
        event=event, name="B", email="b@example.org", consent=True, language="en"))
    Event.objects.filter(pk=event.pk).update(start=timezone.now() - timedelta(minutes=5))
    services.registration_cancel(registration=first, by_token=True)
    assert Registration.objects.get(pk=waiting.pk).status == R.WAITLISTED


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


def test_json_ld_cannot_break_out_of_its_script_element(client):
    event = factories.published_event(factories.organisation("FR"), title="Hack </script><script>alert(1)</script>",
                                      summary="<!--<script>")
    html = client.get(f"/en/events/{event.uid}/").content.decode()
    block = html.split('<script type="application/ld+json">')[1].split("</script>")[0]
    assert "<" not in block and "\\u003C/script\\u003E" in block


def test_a_guest_registration_with_an_accounts_address_shows_for_that_account(client, users):
    event = factories.published_event(factories.organisation("FR"))
    registration = services.registration_create(event=event, name="C", email=users["citizen"].email.upper(),
                                                consent=True, language="en")
    client.force_login(users["citizen"])
    assert event.title in client.get("/en/registrations/").content.decode()
    client.post(f"/en/registrations/{registration.pk}/cancel/")
    assert Registration.objects.get(pk=registration.pk).status == R.CANCELLED


def test_coordinators_cannot_create_for_an_organisation_of_another_country():
    from django.core.exceptions import PermissionDenied

    german = factories.organisation("DE")
    with pytest.raises(PermissionDenied):
        services.event_create(user=factories.coordinator("FR"), organisation=german, data={
            "country": "FR", "title": "x", "summary": "x", "start": timezone.now() + timedelta(days=3),
            "end": timezone.now() + timedelta(days=3, hours=1), "timezone": "Europe/Paris", "format": "online",
            "online_url": "https://example.org/"})


def test_allauth_limits_count_the_same_client_as_ours(client, settings):
    """Behind a load balancer allauth must not see every visitor as the balancer: it is given the
    same number of trusted proxies, and then finds the same client address as our limiter."""
    import subprocess
    import sys

    from allauth.core.internal.httpkit import get_client_ip

    from events.ratelimit import client_ip

    configured = subprocess.run(
        [sys.executable, "-c", "from eyos.settings import base; print(base.ALLAUTH_TRUSTED_PROXY_COUNT)"],
        env={**__import__("os").environ, "EYOS_TRUSTED_PROXIES": "2"}, capture_output=True, text=True, check=True)
    assert configured.stdout.strip() == "2"
    settings.EYOS_TRUSTED_PROXIES = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for forwarded in ("203.0.113.7", "198.51.100.1, 203.0.113.8"):
        request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="10.0.0.1")
        assert get_client_ip(request) == client_ip(request) == forwarded.split(", ")[-1]
    # 35 people signing in through one balancer are not one visitor (login: 30 a minute per IP).
    statuses = {client.post("/en/accounts/login/", {"login": f"p{n}@example.org", "password": "x"},
                            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}", REMOTE_ADDR="10.0.0.1").status_code
                for n in range(35)}
    assert 429 not in statuses
