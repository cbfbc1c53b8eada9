from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe


@require_safe
def healthz(request):
    """Liveness only: never touches the database, so a slow database doesn't kill the pod."""
    return HttpResponse("ok", content_type="text/plain")


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


@require_safe
def admin_login_redirect(request):
    """The Wagtail admin signs people in through allauth, never through its own form."""
    # allauth checks that `next` stays on this site before following it.
    next_url = request.GET.get("next") or "/admin/"
    return HttpResponseRedirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")
