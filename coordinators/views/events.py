"""The events of the coordinator's countries: the list, creating, editing and cancelling an event,
and the registrations as CSV."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from events import exports, maps
from events.forms import CancelForm, CoordinatorEventForm
from events.models import Event
from events.views.editing import EventCancelView, EventFormView

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


class CoordinatorEventFormView(EventFormView):
    """An event of the coordinator's countries: created published, edited in any state but
    cancelled."""

    form_class = CoordinatorEventForm

    def get_event(self, uid):
        return review_event_or_404(self.request, uid)

    def refuse(self, event):
        if event is not None and event.status == Event.Status.CANCELLED:
            messages.error(self.request, _("A cancelled event can no longer be edited."))
            return redirect(self.done_url(event))
        return None

    def form_kwargs(self, event):
        user = self.request.user
        organisations = permissions.coordinated_organisations(user).order_by("name") if event is None else None
        return {"countries": permissions.coordinator_countries(user), "organisations": organisations}

    def success_message(self, event, created):
        if created:
            return _("“%(title)s” is published.") % {"title": event.title}
        return super().success_message(event, created)

    def done_url(self, event):
        return reverse("coordinators:review", kwargs={"uid": event.uid})

    def render_form(self, form, event):
        title = _("Edit the event") if event else _("Create an event")
        return maps.allow_map(render_admin(self.request, "coordinators/event_form.html", {
            "page_title": title, "header_title": title, "form": form, "event": event,
            "breadcrumbs": [
                {"url": reverse("coordinators:events"), "label": _("Events of my countries")},
                {"url": "", "label": title},
            ],
        }, status=400 if form.is_bound and form.errors else 200), admin=True)


class CoordinatorEventCancelView(EventCancelView):
    form_class = CancelForm

    def get_event(self, uid):
        return review_event_or_404(self.request, uid)

    def done_url(self, event):
        return reverse("coordinators:review", kwargs={"uid": event.uid})

    def render_form(self, form, event):
        title = _("Cancel the event")
        return render_admin(self.request, "coordinators/event_cancel.html", {
            "page_title": title, "header_title": title, "event": event, "form": form,
            "breadcrumbs": [
                {"url": self.done_url(event), "label": event.title},
                {"url": "", "label": title},
            ],
        }, status=400 if form.errors else 200)


event_create = event_edit = coordinator_required(CoordinatorEventFormView.as_view())
event_cancel = coordinator_required(CoordinatorEventCancelView.as_view())


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
