"""What the coordinators' back-office views share (theirs and other apps' admin screens): the
coordinator check, the admin page with its breadcrumbs, pagination, the queue's filters and the
event under review."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from events.models import Event

from . import permissions, selectors

PAGE_SIZE = 50


def coordinator_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not permissions.is_coordinator(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def render_admin(request, template, context, status=200):
    breadcrumbs = [{"url": reverse("wagtailadmin_home"), "label": _("Home")}]
    breadcrumbs += context.pop("breadcrumbs", [])
    context.setdefault("breadcrumbs_items", breadcrumbs)
    return TemplateResponse(request, template, context, status=status)


def paginate(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def queue_filters(request):
    country = permissions.scoped_country(request.user, request.GET.get("country")) or ""
    try:
        older_than = min(max(0, int(request.GET.get("older_than") or 0)), 3650) or None
    except ValueError:
        older_than = None
    return selectors.QueueFilters(
        country=country,
        q=request.GET.get("q", "").strip()[:100],
        escalated=request.GET.get("escalated") == "1",
        older_than=older_than,
        sort=request.GET.get("sort") if request.GET.get("sort") in selectors.QUEUE_SORTS else "oldest",
    )


def review_event_or_404(request, uid):
    try:
        return selectors.review_event(request.user, uid)
    except Event.DoesNotExist:
        raise Http404
