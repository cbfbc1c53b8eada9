"""The review queue and one event's review: approve, request changes, reject."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from events import maps, services, spam
from events.forms import RejectForm, RequestChangesForm
from events.models import Event

from .. import permissions, selectors
from ..shortcuts import coordinator_required, paginate, queue_filters, render_admin, review_event_or_404


@coordinator_required
def queue(request):
    filters = queue_filters(request)
    page = paginate(request, selectors.moderation_queue(request.user, filters))
    now = timezone.now()
    for event in page.object_list:
        event.waiting_days = (now - event.submitted_at).days if event.submitted_at else 0
        event.spam_labels = spam.reason_labels(event.spam_reasons)
    return render_admin(request, "coordinators/queue.html", {
        "page_title": _("Events to review"),
        "header_title": _("Events to review"),
        "page": page,
        "filters": filters,
        "countries": permissions.coordinator_country_choices(request.user),
        "is_eu_team": permissions.is_eu_team(request.user),
        "escalation_days": settings.EYOS_ESCALATION_DAYS,
        "sorts": [("oldest", _("Oldest first")), ("newest", _("Newest first")),
                  ("spam", _("Highest spam score first")), ("country", _("Country"))],
        "rejection_reasons": Event.RejectionReason.choices,
        "queue_query": request.GET.urlencode(),
        "breadcrumbs": [{"url": "", "label": _("Events to review")}],
    })


def _review(request, event, *, changes_form=None, reject_form=None, status=200):
    pin = None
    if maps.map_enabled() and event.latitude is not None and event.longitude is not None:
        pin = maps.map_attributes(kind="show", id="event-pin-map", lat=event.latitude, lon=event.longitude,
                                  title=_("Place of the event on the map"))
    return maps.allow_map(render_admin(request, "coordinators/review.html", {
        "pin_map": pin,
        "page_title": event.title,
        "header_title": event.title,
        "event": event,
        "history": selectors.event_history(event),
        "duplicates": selectors.possible_duplicates(request.user, event),
        "changes_form": changes_form or RequestChangesForm(),
        "reject_form": reject_form or RejectForm(),
        "can_decide": services.allows(event, "approve"),
        "can_cancel": services.allows(event, "cancel"),
        "spam_labels": spam.reason_labels(event.spam_reasons),
        "can_block": (services.allows(event, "reject") or event.spot_check)
        and permissions.can_block_submitter(request.user, event, event.created_by),
        "queue_query": request.GET.urlencode(),
        "breadcrumbs": [
            {"url": reverse("coordinators:queue"), "label": _("Events to review")},
            {"url": "", "label": event.title},
        ],
    }, status=status), admin=True)


@coordinator_required
def review(request, uid):
    return _review(request, review_event_or_404(request, uid))


def _decide(request, uid, decide):
    """Run one moderation service; an event that changed meanwhile gives a clear message."""
    event = review_event_or_404(request, uid)
    try:
        decide(event)
    except services.InvalidTransition as error:
        messages.error(request, str(error))
        return redirect("coordinators:review", uid=event.uid)
    return redirect("coordinators:queue")


@coordinator_required
@require_POST
def approve(request, uid):
    def decide(event):
        services.event_approve(user=request.user, event=event)
        messages.success(request, _("“%(title)s” is published.") % {"title": event.title})

    return _decide(request, uid, decide)


@coordinator_required
@require_POST
def request_changes(request, uid):
    form = RequestChangesForm(request.POST)
    if not form.is_valid():
        return _review(request, review_event_or_404(request, uid), changes_form=form, status=400)

    def decide(event):
        services.event_request_changes(user=request.user, event=event, comment=form.cleaned_data["comment"])
        messages.success(request, _("“%(title)s” was sent back to the organiser.") % {"title": event.title})

    return _decide(request, uid, decide)


@coordinator_required
@require_POST
def reject(request, uid):
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _review(request, review_event_or_404(request, uid), reject_form=form, status=400)

    def decide(event):
        services.event_reject(user=request.user, event=event, **form.cleaned_data)
        messages.success(request, _("“%(title)s” was rejected.") % {"title": event.title})

    return _decide(request, uid, decide)
