import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.shortcuts import render
from django.utils.html import format_html
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe


@require_safe
def healthz(request):
    """Liveness only: never touches the database, so a slow database doesn't kill the pod."""
    return HttpResponse("ok", content_type="text/plain")


@require_safe
def readyz(request):
    """Readiness: 200 when the database and the cache answer, 503 (with which one failed)
    otherwise, so a load balancer stops sending traffic to a server that cannot serve it. The
    site keeps serving from the database while only the cache is down; an orchestrator that
    should keep such a server in rotation can check `database` in the body."""
    import json

    from django.core.cache import cache
    from django.db import DatabaseError, connection

    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except DatabaseError:
        checks["database"] = "unavailable"
    ping = getattr(cache, "ping", None)  # eyos.cache.ResilientRedisCache; local caches are always up
    if ping is None:
        checks["cache"] = "ok"
    else:
        checks["cache"] = "ok" if ping() else "unavailable"
        checks["cache_errors"] = cache.outage_stats()["errors"]
    ready = checks["database"] == "ok" and checks["cache"] == "ok"
    if not ready:
        logging.getLogger("eyos.readyz").warning(
            "Not ready: %s", ", ".join(name for name in ("database", "cache") if checks[name] != "ok"))
    response = HttpResponse(json.dumps(checks), content_type="application/json", status=200 if ready else 503)
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def root_redirect(request):
    """`/` goes to the visitor's language: cookie first, then Accept-Language, then English."""
    language = translation.get_language_from_request(request, check_path=False)
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    query = request.META.get("QUERY_STRING", "")
    response = HttpResponseRedirect(f"/{language}/" + (f"?{query}" if query else ""))
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response


def _to_allauth_login(request, default_next=None):
    """allauth's sign-in page, in the request's language, with `next` kept only when it stays on
    this site (anything else is dropped rather than passed on)."""
    next_url = request.GET.get("next") or default_next
    if next_url and not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = default_next
    login_url = reverse("account_login")
    return HttpResponseRedirect(f"{login_url}?{urlencode({'next': next_url})}" if next_url else login_url)


@require_safe
def admin_login_redirect(request):
    """The Wagtail admin signs people in through allauth, never through its own form."""
    return _to_allauth_login(request, default_next="/admin/")


@require_safe
def login_redirect(request):
    """Wagtail's front-end login (/<lang>/_util/login/, where pages restricted to signed-in
    visitors send them) was Django's LoginView: a password alone signed in, without allauth's
    second factor and rate limits. There is one way to sign in, allauth's; this sends visitors
    there. A POST (credentials) is refused with 405."""
    return _to_allauth_login(request)


logger = logging.getLogger(__name__)


def _same_site_referer(request):
    """The path of the page the visitor came from, if it was on this site; otherwise None."""
    referer = request.META.get("HTTP_REFERER", "")
    try:
        host = request.get_host()
    except DisallowedHost:
        return None
    if not referer or any(ord(c) < 32 or ord(c) == 127 for c in referer):
        return None
    if not url_has_allowed_host_and_scheme(referer, allowed_hosts={host}, require_https=request.is_secure()):
        return None
    parts = urlsplit(referer)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return path if path.startswith("/") and not path.startswith("//") else None


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form sent without a valid token (its page open too long, cookies
    refused) gets the site's own page in the visitor's language, with a way back; 403. If the
    page cannot be rendered with the site's layout (no session or user, the database down), the
    same words without it - never a 500."""
    back_url = _same_site_referer(request)
    try:
        return render(request, "csrf_failure.html", {"back_url": back_url}, status=403)
    except Exception:  # noqa: BLE001 - whatever broke, the visitor still gets an answer
        logger.warning("CSRF failure page rendered without the site layout", exc_info=True)
    language = translation.get_language() or settings.LANGUAGE_CODE
    title = translation.gettext("The form could not be sent")
    back = format_html('<a href="{}">{}</a> · ', back_url, translation.gettext("Back to the page you came from"))
    return HttpResponseForbidden(format_html(
        '<!DOCTYPE html><html lang="{}"><head><meta charset="utf-8"><title>{}</title></head><body><main>'
        '<h1>{}</h1><p>{}</p><p>{}<a href="/{}/">{}</a></p></main></body></html>',
        language, title, title,
        translation.gettext("For your security, a form works only for a while after its page was opened, and only "
                            "if your browser accepts this site's cookies. Open the page again and send the form once "
                            "more."),
        back if back_url else "", language, translation.gettext("Home"),
    ))


MEDIA_FOLDERS = ("images/", "original_images/")  # Wagtail's renditions and uploaded originals


@require_safe
def media(request, path):
    """Uploaded images when the site keeps them on its own disk (the default file storage, with
    MEDIA_ROOT on a persistent volume): whitenoise serves only the static files. Only the image
    library's folders; anything else under MEDIA_ROOT stays private. A host with an object store
    sets STORAGES["default"] and MEDIA_URL to it instead, and this view is not used."""
    import posixpath

    from django.http import Http404
    from django.views.static import serve

    path = posixpath.normpath(path).lstrip("/")
    if not path.startswith(MEDIA_FOLDERS):  # after normalising: images/../x is x
        raise Http404
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Cache-Control"] = "public, max-age=86400"
    return response
