import re

from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.middleware.locale import LocaleMiddleware

from .headers import PERMISSIONS_POLICY

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
