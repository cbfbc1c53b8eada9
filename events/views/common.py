"""What several apps' views share: the 429 page, the organisers' write limit and "my event"."""

from functools import wraps

from django.conf import settings
from django.shortcuts import get_object_or_404, render

from coordinators import permissions

from .. import ratelimit


def too_many_requests(request, exception=None):
    """The 429 page (also Django's handler429)."""
    return render(request, "events/too_many_requests.html", status=429)


def rate_limited(view):
    """Organisers' writes, per account, in the shared cache: EYOS_ORGANISER_RATE posts per window.
    A 429 page beyond it (a compromised or scripted account cannot flood the moderation queue)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST":
            limit, window = settings.EYOS_ORGANISER_RATE
            if not ratelimit.hit("organiser-post", str(request.user.pk), limit=limit, window=window):
                return too_many_requests(request)
        return view(request, *args, **kwargs)

    return wrapper


def own_event(request, uid):
    """An event of one of the signed-in organiser's organisations; another organisation's event is
    simply not found."""
    return get_object_or_404(permissions.organiser_events(request.user).select_related("organisation"), uid=uid)
