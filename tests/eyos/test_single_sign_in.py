"""One way to sign in: allauth's (/<lang>/accounts/login/), with its rate limits and its second
factor. Every URL pattern of the URLconf - named or not, the admin's, Wagtail's and allauth's - is
sent valid credentials (email and password, under every field name a sign-in form uses) by a
visitor, for an account without and with an authenticator app. Only allauth's views may call
django.contrib.auth.login() or leave a signed-in session behind, and allauth's sign-in asks the
account with an authenticator app for its code first.

(Wagtail's front-end login, /<lang>/_util/login/, was Django's LoginView: the password alone
signed in a coordinator who had set up MFA. It now sends visitors to allauth's sign-in. Wagtail's
password-protected pages and documents check a page's password, not an account's: they are
walked too, with the page password set to the account's password, and must sign nobody in.)"""

import re
import sys
from unittest import mock

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib import auth
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests import factories
from tests.urlconf import every_pattern

pytestmark = pytest.mark.django_db
PASSWORD = "pw-for-tests-1"  # tests.factories.user's

# A path that each regular expression in the URLconf matches; a new one must be added here.
REGEX_SAMPLES = {
    r"^((?:[\w\-]+/)*)$": "campaigns/",
    r"^(?P<pk>\d+)/revisions/compare/(?P<revision_id_a>live|earliest|\d+)\.\.\.(?P<revision_id_b>live|latest|\d+)/$":
        "1/revisions/compare/earliest...latest/",
    r"^(\d+)/(.*)$": "1/x",
    r"^.*/$": "x/",
    r"^confirm-email/(?P<key>[-:\w]+)/$": "confirm-email/x/",
    r"^c/(?P<code>[0-9A-Za-z]{6,12})$": "c/ABCDEF2345",
    r"^c/(?P<code>[0-9A-Za-z]{6,12})\.jsonld$": "c/ABCDEF2345.jsonld",
    r"^c/(?P<code>[0-9A-Za-z]{6,12})/certificate\.pdf$": "c/ABCDEF2345/certificate.pdf",
    r"^documents/": "documents/",
    r"^images/": "images/",
    r"^media/(?P<path>.+)$": "media/images/x.png",
    r"^pages/": "pages/",
    r"^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$": "password/reset/key/1-x/",
}
CONVERTER_SAMPLES = {"int": "1", "slug": "x", "str": "x", "": "x", "path": "x/y",
                     "uuid": "00000000-0000-4000-8000-000000000001",
                     "uuidstr": "00000000-0000-4000-8000-000000000001"}  # django-ninja's (the read API)
# Every field name a sign-in or password form uses (Django's, allauth's, Wagtail's).
FIELDS = ("login", "username", "email", "password", "password1", "password2", "new_password1",
          "new_password2", "oldpassword")

# Views allowed to sign people in: allauth's (sign-in, second factor, sign-up, email confirmation).
ALLAUTH = re.compile(r"^allauth\.")


def concrete_path(route, values):
    """A path that `route` (a RoutePattern or RegexPattern string, or both joined) matches."""
    for regex, sample in REGEX_SAMPLES.items():
        route = route.replace(regex, sample)
    assert "^" not in route and "(" not in route, f"add a sample for this pattern to REGEX_SAMPLES: {route}"
    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>",
                        lambda m: values.get(m.group(2)) or CONVERTER_SAMPLES[m.group(1) or ""], route)


@pytest.fixture
def accounts(db):
    from allauth.account.models import EmailAddress

    plain = factories.user("single-plain@example.org")
    with_mfa = factories.coordinator("FR", email="single-mfa@example.org")
    for person in (plain, with_mfa):
        EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    TOTP.activate(with_mfa, generate_totp_secret())
    return {"plain": plain, "mfa": with_mfa}


@pytest.fixture
def protected(db):
    """A password-protected page and document collection whose password is the account's."""
    from wagtail.models import Collection, CollectionViewRestriction, Page, PageViewRestriction

    page = Page.objects.filter(depth=2).first()
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password=PASSWORD)
    collection = Collection.get_first_root_node().add_child(name="Protected")
    documents = CollectionViewRestriction.objects.create(
        collection=collection, restriction_type=CollectionViewRestriction.PASSWORD, password=PASSWORD)
    return {"page_view_restriction_id": str(restriction.pk), "page_id": str(page.pk),
            "restriction_id": str(documents.pk)}


def routes(values):
    """(the pattern's view, a path it matches) for every pattern in the URLconf. The path may be
    taken over by an earlier pattern (Wagtail's admin login is): that one answers it then."""
    with translation.override("en"):
        found = []
        for _namespace, _name, route, pattern in every_pattern():
            path = concrete_path(route, values)
            try:
                resolve(path)
            except Resolver404:
                pytest.fail(f"{route} gave {path}, which nothing answers")
            found.append((pattern.lookup_str, path))
        return found


@pytest.fixture
def login_calls():
    """Every call of django.contrib.auth.login(), wherever it was imported, with the view that
    made it (also caught through the user_logged_in signal that login() sends)."""
    calls = []
    original = auth.login

    def recording(request, user, *args, **kwargs):
        calls.append(("login()", request.resolver_match._func_path if request.resolver_match else request.path))
        return original(request, user, *args, **kwargs)

    def on_signal(sender, request, user, **kwargs):
        calls.append(("user_logged_in", request.resolver_match._func_path if request.resolver_match else request.path))

    patches = [mock.patch.object(module, attribute, recording)
               for module in list(sys.modules.values()) if module is not None
               for attribute, value in list(getattr(module, "__dict__", {}).items()) if value is original]
    for patch in patches:
        patch.start()
    auth.signals.user_logged_in.connect(on_signal, dispatch_uid="test_single_sign_in")
    try:
        yield calls
    finally:
        auth.signals.user_logged_in.disconnect(dispatch_uid="test_single_sign_in")
        for patch in patches:
            patch.stop()


def signed_in(client):
    return "_auth_user_id" in client.session


def credentials(person, next_url="/en/"):
    return {**{field: person.email if field in ("login", "username", "email") else PASSWORD for field in FIELDS},
            "return_url": next_url, "next": next_url, "remember": "on"}


def test_the_walk_finds_every_route_that_takes_a_password(accounts, protected):
    views = {view for view, _path in routes(protected)}
    assert {"allauth.account.views.LoginView", "allauth.mfa.base.views.AuthenticateView",
            "wagtail.views.authenticate_with_password", "wagtail.documents.views.serve.authenticate_with_password",
            "wagtail.admin.views.account.LoginView", "eyos.views.login_redirect"} <= views


@pytest.mark.parametrize("who", ["plain", "mfa"])
def test_only_allauth_signs_anyone_in(accounts, protected, login_calls, who):
    person = accounts[who]
    opened = []
    reset = {"uidb64": urlsafe_base64_encode(force_bytes(person.pk)),
             "token": default_token_generator.make_token(person)}
    for path in sorted({path for _view, path in routes({**protected, **reset})}):
        client = Client(raise_request_exception=False)
        response = client.post(path, credentials(person))
        if signed_in(client):
            opened.append((path, response.resolver_match._func_path))
    calls = sorted(set(view for _how, view in login_calls))
    assert all(ALLAUTH.match(view) for view in calls), calls
    if who == "plain":  # the positive control: allauth's sign-in form itself
        assert opened == [("/en/accounts/login/", "allauth.account.views.LoginView")], opened
        assert calls == ["allauth.account.views.LoginView"]
    else:  # no view signs in with the password alone an account that has a second factor
        assert opened == [] and calls == [], (opened, calls)


def test_allauth_asks_for_the_code_of_an_account_with_mfa(client, accounts):
    response = client.post("/en/accounts/login/", credentials(accounts["mfa"]))
    assert response.status_code == 302 and response["Location"].startswith("/en/accounts/2fa/authenticate/")
    assert not signed_in(client)


@pytest.mark.parametrize("path", ["/en/_util/login/", "/fr/_util/login/"])
def test_wagtails_front_end_login_sends_visitors_to_allauth(client, accounts, path):
    language = path.split("/")[1]
    response = client.get(path, {"next": "/en/campaigns/"})
    assert response.status_code == 302
    assert response["Location"] == f"/{language}/accounts/login/?next=%2Fen%2Fcampaigns%2F"
    # Off-site or odd targets are dropped, not passed on.
    for hostile in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"):
        response = client.get(path, {"next": hostile})
        assert response["Location"] == f"/{language}/accounts/login/", hostile
    response = client.post(path, credentials(accounts["plain"]))
    assert response.status_code == 405 and not signed_in(client)


def test_a_login_restricted_page_sends_visitors_to_allauth(client):
    from wagtail.models import Page, PageViewRestriction

    page = Page.objects.filter(depth=3, live=True).first().specific
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    response = client.get(page.get_url(), follow=True)
    final_url, _status = response.redirect_chain[-1]
    assert final_url.startswith("/en/accounts/login/?next=") and response.status_code == 200, response.redirect_chain
