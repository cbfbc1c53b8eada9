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
