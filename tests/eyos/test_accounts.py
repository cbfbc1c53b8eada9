import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from eyos.accounts.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_user_model_logs_in_by_email_and_has_no_username():
    User = get_user_model()
    assert User.USERNAME_FIELD == "email"
    assert not hasattr(User, "username")
    user = User.objects.create_user(email="Ana@Example.ORG", password="s3cret-pass-99")
    assert user.email == "ana@example.org"
    assert user.preferred_language == "en"


@pytest.mark.parametrize("path", ["/admin/", "/admin/pages/"])
def test_admin_sends_anonymous_visitors_to_the_allauth_login(client, path):
    response = client.get(path, follow=True)
    final_url, _status = response.redirect_chain[-1]
    assert final_url.startswith("/en/accounts/login/")
    assert response.status_code == 200
    assert 'name="login"' in response.content.decode()
    assert 'name="password"' in response.content.decode()


def test_wagtails_own_login_form_is_replaced_by_allauth(client):
    response = client.get("/admin/login/?next=/admin/pages/")
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/login/?next=%2Fadmin%2Fpages%2F"


def test_coordinator_signs_in_with_email_and_reaches_the_admin(client):
    response = client.post(
        "/en/accounts/login/?next=/admin/",
        {"login": "coordinator-fr@example.org", "password": DEMO_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_wrong_password_is_refused_without_revealing_whether_the_account_exists(client):
    known = client.post("/en/accounts/login/", {"login": "citizen@example.org", "password": "nope"})
    unknown = client.post("/en/accounts/login/", {"login": "nobody@example.org", "password": "nope"})
    assert known.status_code == unknown.status_code == 200
    assert known.context["form"].errors == unknown.context["form"].errors


def test_wagtail_password_and_email_management_is_off(settings):
    assert settings.WAGTAIL_PASSWORD_MANAGEMENT_ENABLED is False
    assert settings.WAGTAIL_PASSWORD_RESET_ENABLED is False
    assert settings.WAGTAIL_EMAIL_MANAGEMENT_ENABLED is False


def test_signup_requires_email_verification_and_remembers_the_language(client):
    response = client.post(
        "/fr/accounts/signup/",
        {"email": "new.person@example.org", "first_name": "New", "password1": "a-Long-pass-4-eyos", "password2": "a-Long-pass-4-eyos"},
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(email="new.person@example.org")
    assert user.preferred_language == "fr"
    assert len(mail.outbox) == 1
    # Not signed in until the address is confirmed.
    assert client.get("/admin/").status_code == 302
    assert "_auth_user_id" not in client.session
    link = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+", mail.outbox[0].body).group(0)
    path = link.split("testserver", 1)[1]
    assert client.post(path).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_signup_with_an_existing_email_looks_the_same_as_a_new_one(client):
    """No account enumeration: allauth sends a 'you already have an account' mail instead."""
    response = client.post(
        "/en/accounts/signup/",
        {"email": "citizen@example.org", "first_name": "Cit", "password1": "a-Long-pass-4-eyos", "password2": "a-Long-pass-4-eyos"},
    )
    assert response.status_code == 302
    assert get_user_model().objects.filter(email="citizen@example.org").count() == 1


def test_failed_logins_are_rate_limited_through_the_shared_cache(client):
    from django.core.cache import cache

    cache.clear()
    messages = []
    for attempt in range(7):
        response = client.post(
            "/en/accounts/login/", {"login": "citizen@example.org", "password": f"wrong{attempt}"}
        )
        messages.append(" ".join(response.context["form"].non_field_errors()))
    # Even the right password is refused while the limit holds.
    response = client.post("/en/accounts/login/", {"login": "citizen@example.org", "password": DEMO_PASSWORD})
    cache.clear()
    assert "Too many failed login attempts" not in messages[0]
    assert "Too many failed login attempts" in messages[-1]
    assert "_auth_user_id" not in client.session


def test_seed_demo_refuses_to_run_without_debug(settings):
    from django.core.management import CommandError, call_command

    settings.DEBUG = False
    with pytest.raises(CommandError, match="refuses to run with DEBUG off"):
        call_command("seed_demo")


def test_seed_demo_is_idempotent(settings):
    from django.core.management import call_command
    from wagtail.models import Page

    before = Page.objects.count()
    users_before = get_user_model().objects.count()
    call_command("seed_demo", force=True, quiet_accounts=True, verbosity=0, stdout=open("/dev/null", "w"))
    assert Page.objects.count() == before
    assert get_user_model().objects.count() == users_before


def test_sign_up_is_rate_limited_with_a_friendly_page(client, db, settings):
    from django.core.cache import cache

    cache.clear()
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/m/ip"}
    codes = []
    for n in range(3):
        response = client.post("/en/accounts/signup/", {"email": f"rl{n}@example.org", "first_name": "R", "password1": "a-long-pass-42x",
                                                        "password2": "a-long-pass-42x"})
        codes.append(response.status_code)
    assert codes[-1] == 429 and 429 not in codes[:2]
    assert "try again later" in response.content.decode()


def test_signup_asks_for_a_name_and_hides_its_honeypot_without_inline_style(client):
    """The strict CSP blocks allauth's inline style on its honeypot, which then showed as an empty,
    unlabelled box; a person who typed in it got no account."""
    page = client.get("/en/accounts/signup/").content.decode()
    form = page.split('id="signup_form"', 1)[1] if 'id="signup_form"' in page else page
    assert "style=" not in form
    assert '<div class="hp" aria-hidden="true">' in form and 'name="website"' in form and 'tabindex="-1"' in form
    assert 'name="first_name"' in form and 'autocomplete="given-name"' in form
    response = client.post("/en/accounts/signup/", {"email": "ada@example.org", "first_name": "  Ada ",
                                                    "last_name": "Lovelace", "password1": "a-Long-pass-4-eyos",
                                                    "password2": "a-Long-pass-4-eyos"})
    assert response.status_code == 302
    user = get_user_model().objects.get(email="ada@example.org")
    assert (user.first_name, user.last_name, user.get_full_name()) == ("Ada", "Lovelace", "Ada Lovelace")
    # Without a name: a field error, no account.
    response = client.post("/en/accounts/signup/", {"email": "anon@example.org", "password1": "a-Long-pass-4-eyos",
                                                    "password2": "a-Long-pass-4-eyos"})
    assert response.status_code == 200 and not get_user_model().objects.filter(email="anon@example.org").exists()
    # A filled honeypot: allauth answers as if it worked, and makes nothing.
    client.post("/en/accounts/signup/", {"email": "bot@example.org", "first_name": "Bot", "website": "http://spam",
                                         "password1": "a-Long-pass-4-eyos", "password2": "a-Long-pass-4-eyos"})
    assert not get_user_model().objects.filter(email="bot@example.org").exists()


def test_signing_in_returns_to_the_page_and_language_one_came_from(client):
    from events.models import Event

    event = Event.objects.filter(status="published").first()
    page = client.get(f"/mt/events/{event.uid}/").content.decode()
    assert f'href="/mt/accounts/login/?next=/mt/events/{event.uid}/"' in page
    response = client.post(f"/mt/accounts/login/?next=/mt/events/{event.uid}/",
                           {"login": "citizen@example.org", "password": "eyos-demo-2023"})
    assert response.status_code == 302 and response["Location"] == f"/mt/events/{event.uid}/"
    client.logout()
    response = client.post("/de/accounts/login/", {"login": "citizen@example.org", "password": "eyos-demo-2023"},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302 and response["Location"] == "/de/"
    # A next pointing elsewhere is refused (no open redirect).
    client.logout()
    response = client.post("/en/accounts/login/?next=https://evil.example/", {"login": "citizen@example.org",
                                                                              "password": "eyos-demo-2023"})
    assert "evil.example" not in response.get("Location", "")


def test_account_emails_name_the_site_not_the_host(client):
    client.post("/de/accounts/signup/", {"email": "named@example.org", "first_name": "N", "password1": "a-Long-pass-4-eyos",
                                         "password2": "a-Long-pass-4-eyos"})
    greeting = mail.outbox[-1].body.splitlines()[0]
    assert greeting == "Hallo von Europäisches Jahr der Kompetenzen!", greeting


def test_the_sign_in_link_carries_no_secret(client, db):
    """From a page at a signed link's URL (a POST straight to it, or its "link does not work"
    page), the header's sign-in link does not put the token into `next`."""
    token = "eyJyIjoxLCJhIjoiY2FuY2VsIn0:1xWXb3:forgedsignatureforgedsignature00"
    page = client.get(f"/en/registrations/cancel/{token}/").content.decode()
    assert 'href="/en/accounts/login/">' in page and "/en/accounts/login/?next=" not in page
    assert 'href="/en/accounts/login/?next=/en/events/"' in client.get("/en/events/").content.decode()
