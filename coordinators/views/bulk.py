"""Moderation at scale: several queue events in one POST, approve and next, spot checks of events
published directly, reject and block. Every event still goes through its own events.services call,
so permissions, audit log and emails are those of one-by-one moderation."""

import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from events import services

from .. import permissions, selectors
from ..forms import BulkForm
from ..shortcuts import coordinator_required, queue_filters, review_event_or_404

BULK_LIMIT = 100
QUEUE_PARAMETERS = ("country", "q", "older_than", "escalated", "sort")


@dataclass
class Outcome:
    title: str
    done: bool
    reason: str = ""


def _queue_url(params):
    query = urlencode({key: params[key] for key in QUEUE_PARAMETERS if params.get(key)})
    return reverse("coordinators:queue") + (f"?{query}" if query else "")


def _is_uuid(value):
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def run_bulk(user, uids, action, *, comment="", reason="", note=""):
    """One service call per event, each in its own transaction; returns an Outcome per uid. Events
    the user may not moderate are reported, never touched."""
    calls = {
        "approve": lambda event: services.event_approve(user=user, event=event),
        "request_changes": lambda event: services.event_request_changes(user=user, event=event, comment=comment),
        "reject": lambda event: services.event_reject(user=user, event=event, reason=reason, note=note),
    }
    valid = []
    for uid in uids:
        try:
            valid.append(str(uuid.UUID(uid)))
        except ValueError:
            valid.append(uid)
    uids = list(dict.fromkeys(valid))
    events = permissions.moderatable_events(user).filter(uid__in=[u for u in uids if _is_uuid(u)])
    found = {str(event.uid): event for event in events.select_related("organisation")}
    outcomes = []
    for uid in uids:
        event = found.get(uid)
        if event is None:
            outcomes.append(Outcome(uid, False, _("not found, or not an event you may moderate")))
            continue
        try:
            calls[action](event)
        except PermissionDenied:
            outcomes.append(Outcome(event.title, False, _("you may not moderate events of this country")))
        except services.InvalidTransition as error:
            outcomes.append(Outcome(event.title, False, str(error)))
        except ValueError as error:
            outcomes.append(Outcome(event.title, False, str(error)))
        else:
            outcomes.append(Outcome(event.title, True))
    return outcomes


@coordinator_required
@require_POST
def bulk(request):
    uids = request.POST.getlist("uid")[:BULK_LIMIT]
    form = BulkForm(request.POST)
    back = _queue_url(request.POST)
    if not uids:
        messages.error(request, _("Select at least one event."))
        return redirect(back)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    data = form.cleaned_data
    outcomes = run_bulk(request.user, uids, data["action"], comment=data["comment"].strip(),
                        reason=data["reason"], note=data["note"])
    for outcome in outcomes:
        if outcome.done:
            messages.success(request, _("“%(title)s”: done.") % {"title": outcome.title})
        else:
            messages.warning(request, _("“%(title)s”: skipped (%(reason)s).") % {
                "title": outcome.title, "reason": outcome.reason})
    return redirect(back)


def _next_after(user, filters, event):
    """The uid of the event after `event` in the queue as filtered and sorted, or None."""
    uids = list(selectors.moderation_queue(user, filters).values_list("uid", flat=True))
    if event.uid in uids:
        after = uids[uids.index(event.uid) + 1:]
        return after[0] if after else None
    return uids[0] if uids else None


@coordinator_required
@require_POST
def approve_next(request, uid):
    """Approve, then open the next event of the queue in the same order and filter (from the query
    string the review page was opened with)."""
    event = review_event_or_404(request, uid)
    filters = queue_filters(request)
    next_uid = _next_after(request.user, filters, event)
    try:
        services.event_approve(user=request.user, event=event)
    except services.InvalidTransition as error:
        messages.error(request, str(error))
        return redirect("coordinators:review", uid=event.uid)
    messages.success(request, _("“%(title)s” is published.") % {"title": event.title})
    query = request.GET.urlencode()
    if next_uid is None:
        return redirect(_queue_url(request.GET))
    return redirect(reverse("coordinators:review", args=[next_uid]) + (f"?{query}" if query else ""))


@coordinator_required
@require_POST
def spot_check(request, uid):
    event = review_event_or_404(request, uid)
    try:
        services.event_spot_check(user=request.user, event=event)
    except services.InvalidTransition as error:
        messages.error(request, str(error))
        return redirect("coordinators:review", uid=event.uid)
    messages.success(request, _("“%(title)s” was checked and stays published.") % {"title": event.title})
    return redirect("coordinators:queue")


@coordinator_required
@require_POST
def reject_and_block(request, uid):
    event = review_event_or_404(request, uid)
    note = request.POST.get("note", "").strip()[:4000]
    try:
        services.event_reject_and_block(user=request.user, event=event, note=note)
    except services.InvalidTransition as error:
        messages.error(request, str(error))
        return redirect("coordinators:review", uid=event.uid)
    messages.success(request, _("“%(title)s” was rejected as spam and its submitter's account deactivated.") % {
        "title": event.title})
    return redirect("coordinators:queue")
