import re

from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.middleware.locale import LocaleMiddleware

LANGUAGE_LIKE = re.compile(r"^/([a-z]{2}(?:[-_][a-z0-9]{2,8})?)(?:/|$)", re.IGNORECASE)


# Areas that live outside the language prefixes: a 404 there stays a 404 (the admin's "not found"
# for another country's event must not turn into a redirect to /en/admin/…).
UNPREFIXED = ("/admin/", "/feeds/", "/documents/", "/healthz", "/static/", "/media/")
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
    """For pages whose URL carries a secret (signed links, personal feeds): browsers must not send
    that URL to other sites in the Referer header. `same-origin` rather than `no-referrer`: with
    `no-referrer` Chromium sends `Origin: null` with the page's own POST form, which CSRF
    protection rightly refuses (found by the browser tests)."""
    from functools import wraps

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "same-origin"
        return response

    return wrapper


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
