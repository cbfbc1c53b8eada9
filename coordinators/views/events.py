"""The events of the coordinator's countries: the list, creating, editing and cancelling an event,
and the registrations as CSV."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from events import exports, maps, services
from events.forms import CancelForm, CoordinatorEventForm, show_service_errors
from events.models import Event

from .. import permissions, selectors
from ..shortcuts import coordinator_required, paginate, queue_filters, render_admin, review_event_or_404


@coordinator_required
def event_list(request):
    status = request.GET.get("status", "")
    if status not in Event.Status.values:
        status = ""
    filters = queue_filters(request)
    events = selectors.coordinator_event_list(request.user, status=status, country=filters.country, q=filters.q)
    return render_admin(request, "coordinators/event_list.html", {
        "page_title": _("Events of my countries"),
        "header_title": _("Events of my countries"),
        "page": paginate(request, events),
        "status": status,
        "statuses": Event.Status.choices,
        "filters": filters,
        "countries": permissions.coordinator_country_choices(request.user),
        "breadcrumbs": [{"url": "", "label": _("Events of my countries")}],
    })


def _event_form_page(request, form, event=None):
    title = _("Edit the event") if event else _("Create an event")
    return maps.allow_map(render_admin(request, "coordinators/event_form.html", {
        "page_title": title, "header_title": title, "form": form, "event": event,
        "breadcrumbs": [
            {"url": reverse("coordinators:events"), "label": _("Events of my countries")},
            {"url": "", "label": title},
        ],
    }, status=400 if form.is_bound and form.errors else 200), admin=True)


@coordinator_required
def event_create(request):
    form = CoordinatorEventForm(
        request.POST or None, request.FILES or None,
        countries=permissions.coordinator_countries(request.user),
        organisations=permissions.coordinated_organisations(request.user).order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(
                user=request.user, organisation=form.cleaned_data["organisation"],
                data=form.service_data(), topics=form.selected_topics(),
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, _("“%(title)s” is published.") % {"title": event.title})
            return redirect("coordinators:review", uid=event.uid)
    return _event_form_page(request, form)


@coordinator_required
def event_edit(request, uid):
    event = review_event_or_404(request, uid)
    if event.status == Event.Status.CANCELLED:
        messages.error(request, _("A cancelled event can no longer be edited."))
        return redirect("coordinators:review", uid=event.uid)
    form = CoordinatorEventForm(
        request.POST or None, request.FILES or None, instance=event,
        countries=permissions.coordinator_countries(request.user), organisations=None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(user=request.user, event=event, data=form.service_data(), topics=form.selected_topics())
        except ValidationError as error:
            show_service_errors(form, error)
        except services.InvalidTransition as error:
            messages.error(request, str(error))
            return redirect("coordinators:review", uid=event.uid)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("coordinators:review", uid=event.uid)
    return _event_form_page(request, form, event)


@coordinator_required
def event_cancel(request, uid):
    event = review_event_or_404(request, uid)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_cancel(user=request.user, event=event, message=form.cleaned_data["message"])
        except services.InvalidTransition as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The event is cancelled. Everyone concerned is told."))
        return redirect("coordinators:review", uid=event.uid)
    title = _("Cancel the event")
    return render_admin(request, "coordinators/event_cancel.html", {
        "page_title": title, "header_title": title, "event": event, "form": form,
        "breadcrumbs": [
            {"url": reverse("coordinators:review", kwargs={"uid": event.uid}), "label": event.title},
            {"url": "", "label": title},
        ],
    }, status=400 if form.errors else 200)


@coordinator_required
def event_registrants_csv(request, uid):
    event = review_event_or_404(request, uid)
    registrations = permissions.exportable_registrations(request.user).filter(event=event)
    return exports.registrations_csv(exports.ordered(registrations), f"registrants-{event.uid}.csv")


@coordinator_required
def registrations_csv(request):
    """Every registration of the coordinator's countries (or one of them: ?country=FR)."""
    registrations = permissions.exportable_registrations(request.user)
    country = request.GET.get("country", "")
    if country:
        country = permissions.scoped_country(request.user, country)
        if country is None:
            raise Http404
        registrations = registrations.filter(event__country=country)
    country = country or ""
    return exports.registrations_csv(exports.ordered(registrations), f"registrations-{country.lower() or 'all'}.csv")
