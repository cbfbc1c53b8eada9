"""Multi-factor authentication for the admin: TOTP with recovery codes (allauth), mandatory with
EYOS_REQUIRE_MFA."""

import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value

from tests import factories

pytestmark = pytest.mark.django_db


def current_code(secret):
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_mandatory_mfa_sends_coordinators_to_set_it_up(client, settings):
    settings.EYOS_REQUIRE_MFA = True
    coordinator = factories.coordinator("FR")
    client.force_login(coordinator)
    response = client.get("/admin/coordinators/")
    assert response.status_code == 302 and "/accounts/2fa/totp/activate/" in response["Location"]
    # allauth asks for the password again (a fresh sign-in) before showing the setup page.
    setup = client.get(response["Location"], follow=True)
    assert setup.status_code == 200 and "/accounts/reauthenticate/" in setup.redirect_chain[-1][0]
    TOTP.activate(coordinator, generate_totp_secret())
    assert client.get("/admin/coordinators/").status_code == 200


def test_without_the_setting_mfa_stays_optional(client, settings):
    settings.EYOS_REQUIRE_MFA = False
    client.force_login(factories.coordinator("FR"))
    assert client.get("/admin/coordinators/").status_code == 200


def test_signing_in_with_totp_asks_for_the_code(client, settings):
    from allauth.account.models import EmailAddress

    coordinator = factories.coordinator("FR", email="mfa-coordinator@example.org")
    EmailAddress.objects.create(user=coordinator, email=coordinator.email, verified=True, primary=True)
    secret = generate_totp_secret()
    TOTP.activate(coordinator, secret)
    response = client.post("/en/accounts/login/", {"login": coordinator.email, "password": "pw-for-tests-1"})
    assert response.status_code == 302 and "/accounts/2fa/authenticate/" in response["Location"]
    assert client.get("/admin/coordinators/").status_code == 302  # not signed in yet
    wrong = client.post(response["Location"], {"code": "000000" if current_code(secret) != "000000" else "111111"})
    assert wrong.status_code == 200  # the form again, with an error
    client.post(response["Location"], {"code": current_code(secret)})
    assert client.get("/admin/coordinators/").status_code == 200


def test_mandatory_mfa_holds_on_the_public_site_too(client, settings):
    """Coordinators and the EU team see registrants' names and addresses on the public side as
    well (/organise/…/registrants/): without an authenticator they get nowhere but the setup,
    sign-in and sign-out pages. Organisers and citizens are not asked."""
    from events.models import Event

    settings.EYOS_REQUIRE_MFA = True
    event = factories.published_event(factories.organisation("FR"))
    for person in (factories.coordinator("FR"), factories.user("eu-team@example.org", is_superuser=True, is_staff=True)):
        client.force_login(person)
        for path in (f"/en/organise/events/{event.uid}/registrants/", f"/en/organise/events/{event.uid}/registrants.csv",
                     "/en/organise/", "/en/my-data/", "/en/events/", "/admin", "/admin/", "/fr/organise/"):
            response = client.get(path)
            assert response.status_code in (301, 302), (person, path, response.status_code)
            assert "/accounts/2fa/totp/activate/" in response["Location"] or response["Location"] == "/admin/", path
        for path in ("/en/accounts/2fa/totp/activate/", "/en/accounts/logout/", "/healthz"):
            assert client.get(path).status_code in (200, 302), path
            assert "/accounts/2fa/totp/activate/" not in client.get(path).get("Location", "")
        TOTP.activate(person, generate_totp_secret())
        assert client.get(f"/en/organise/events/{event.uid}/registrants/").status_code == 200
        client.logout()
    organiser = factories.user("plain-organiser@example.org")
    factories.organisation("FR", members=[organiser])
    client.force_login(organiser)
    assert client.get("/en/organise/").status_code == 200
    assert Event.objects.filter(pk=event.pk).exists()
