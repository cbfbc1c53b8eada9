"""No personal data in cookies but the session id: messages ("Successfully signed in as
citizen@example.org", "Confirmation email sent to …") are kept in the session, not in a cookie
that the browser stores and sends with every request. Checked on every answer of allauth's flows
- sign-up, email confirmation, sign-in, sign-out - and of a guest's registration."""

import base64
import re
import zlib

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from eyos.accounts.demo import DEMO_PASSWORD
from tests import factories

pytestmark = pytest.mark.django_db
ALLOWED = {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME}


class Recorder:
    """Follows redirects one by one and keeps every Set-Cookie and every message shown."""

    def __init__(self):
        self.client = Client()
        self.cookies = []  # (path, name, value)
        self.shown = []

    def _keep(self, path, response):
        for name, morsel in response.cookies.items():
            self.cookies.append((path, name, morsel.value))
        if response.context and "messages" in response.context:
            self.shown += [str(message) for message in response.context["messages"]]

    def request(self, method, path, data=None):
        response = getattr(self.client, method)(path, data or {})
        self._keep(path, response)
        while response.status_code in (301, 302, 303) and response["Location"].startswith("/"):
            path = response["Location"]
            response = self.client.get(path)
            self._keep(path, response)
        return response


def readable(value):
    """A cookie's value and, if it is signed data (Django's signing: base64 of JSON, perhaps
    compressed), what it says."""
    texts = [value]
    payload = value.split(":", 1)[0]
    compressed = payload.startswith(".")
    try:
        data = base64.urlsafe_b64decode(payload.lstrip(".") + "=" * (-len(payload.lstrip(".")) % 4))
        texts.append((zlib.decompress(data) if compressed else data).decode("utf-8", "replace"))
    except (ValueError, zlib.error):
        pass
    return texts


def test_the_check_reads_signed_cookies():
    from django.core import signing

    assert "ana@example.org" in readable(signing.dumps(["Signed in as ana@example.org"]))[1]
    assert "ana@example.org" in readable(signing.dumps(["ana@example.org " * 20], compress=True))[1]


def assert_no_personal_data(recorder, *personal):
    assert recorder.cookies, "the flow set no cookie at all"
    for path, name, value in recorder.cookies:
        assert name in ALLOWED, (path, name, value[:200])
        for text in readable(value):
            for secret in personal + tuple(recorder.shown):
                assert secret.lower() not in text.lower(), (path, name, secret)


def test_signing_in_stores_no_address_or_message_in_a_cookie():
    recorder = Recorder()
    recorder.request("post", "/en/accounts/login/", {"login": "citizen@example.org", "password": DEMO_PASSWORD})
    assert "_auth_user_id" in recorder.client.session
    assert any("citizen@example.org" in message or "signed in" in message.lower() for message in recorder.shown)
    assert_no_personal_data(recorder, "citizen@example.org", "citizen")
    recorder.request("post", "/en/accounts/logout/")
    assert "_auth_user_id" not in recorder.client.session
    assert_no_personal_data(recorder, "citizen@example.org", "citizen")


def test_signing_up_and_confirming_store_no_address_in_a_cookie():
    recorder = Recorder()
    address = "cookie.person@example.org"
    recorder.request("post", "/fr/accounts/signup/", {"email": address, "first_name": "Cookie", "password1": "a-Long-pass-4-eyos",
                                                      "password2": "a-Long-pass-4-eyos"})
    link = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+", mail.outbox[-1].body).group(0)
    recorder.request("post", link.split("testserver", 1)[1])
    assert "_auth_user_id" in recorder.client.session
    assert recorder.shown  # "Confirmation email sent to …", "You have confirmed …"
    assert_no_personal_data(recorder, address, "cookie.person")


def test_a_guest_registration_stores_no_address_in_a_cookie():
    recorder = Recorder()
    event = factories.published_event(factories.organisation("FR"), days=20)
    recorder.request("get", f"/en/events/{event.uid}/")
    recorder.request("post", f"/en/events/{event.uid}/register/", {"name": "Ana Cookie", "email": "ana.c@example.org",
                                                                   "consent": "on"})
    for path, name, value in recorder.cookies:
        assert name in ALLOWED, (path, name)
        assert "ana.c@example.org" not in value and "Ana Cookie" not in value, (path, name)


def test_messages_are_kept_in_the_session():
    assert settings.MESSAGE_STORAGE == "django.contrib.messages.storage.session.SessionStorage"
