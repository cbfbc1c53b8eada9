import re

from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.middleware.locale import LocaleMiddleware

LANGUAGE_LIKE = re.compile(r"^/([a-z]{2}(?:[-_][a-z0-9]{2,8})?)(?:/|$)", re.IGNORECASE)


# Areas that live outside the language prefixes: a 404 there stays a 404 (the admin's "not found"
# for another country's event must not turn into a redirect to /en/admin/…).
UNPREFIXED = ("/admin/", "/feeds/", "/documents/", "/healthz", "/static/", "/media/", "/api/", "/data/", "/embed/")
ADMIN_AREA = ("/admin/",)


class EYOSLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware redirects every unknown path to the default language, so `/xx/`
    would answer `302 /en/xx/`. A first segment that looks like a language code but is not one of
    ours is a 404 instead."""

    def process_response(self, request, response):
        if response.status_code == 404 and (
            LANGUAGE_LIKE.match(request.path_info) or request.path_info.startswith(UNPREFIXED)
        ):
            return response
        return super().process_response(request, response)


class PublicSiteCSPMiddleware(ContentSecurityPolicyMiddleware):
    """Django's CSP middleware: SECURE_CSP on the public site, EYOS_ADMIN_CSP in the Wagtail admin
    (which writes inline scripts and styles without nonces). A view's own @csp_override wins."""

    def process_response(self, request, response):
        from django.conf import settings

        if request.path_info.startswith(ADMIN_AREA) and not hasattr(response, "_csp_config"):
            response._csp_config = settings.EYOS_ADMIN_CSP
        # No powerful browser features anywhere on the site.
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return super().process_response(request, response)


PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


def no_referrer(view):
    """For URLs that carry a secret (signed links from emails, invitation links, personal feeds):
    `Referrer-Policy: no-referrer`, so the URL never travels in a Referer header. Such URLs do not
    show forms themselves: they put the secret in the session and redirect to a page without it
    (see `stash_secret`), because a page under `no-referrer` posts its forms with `Origin: null`,
    which CSRF protection rightly refuses."""
    from functools import wraps

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        return response

    return wrapper


SECRETS_SESSION_KEY = "eyos_secret_links"


def stash_secret(request, kind, secret):
    """Keep a link's secret in the session, for the token-free page the link redirects to."""
    request.session[SECRETS_SESSION_KEY] = {**request.session.get(SECRETS_SESSION_KEY, {}), kind: secret}


def stashed_secret(request, kind):
    """The secret kept for `kind`, or "". It stays until the session ends (the token expires on
    its own), so submitting the page twice answers as the link would."""
    return request.session.get(SECRETS_SESSION_KEY, {}).get(kind, "")


# Where people who must set up MFA may still go: sign-in, sign-out, re-authentication and the
# MFA pages themselves (allauth, under the language prefix), static files, the health check.
MFA_SETUP_PATHS = re.compile(r"^/(?:[a-z]{2}(?:-[a-z0-9]+)?/accounts/|static/|media/|healthz|i18n/|favicon)", re.I)


class RequireMFAMiddleware:
    """With EYOS_REQUIRE_MFA on, the EU team, coordinators and admin users must set up an
    authenticator before they do anything else, on the admin and on the public site alike; they
    are sent to allauth's setup page (and allauth asks for the code at every sign-in)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        if (settings.EYOS_REQUIRE_MFA and request.user.is_authenticated
                and not MFA_SETUP_PATHS.match(request.path_info)):
            from allauth.mfa.utils import is_mfa_enabled

            from coordinators.permissions import must_use_mfa

            if must_use_mfa(request.user) and not is_mfa_enabled(request.user):
                from django.contrib import messages
                from django.shortcuts import redirect
                from django.utils.translation import gettext as _

                messages.warning(request, _("Your role needs a second step at sign-in. Set up an authenticator "
                                            "app before you go on."))
                return redirect("mfa_activate_totp")
        return self.get_response(request)
