"""The coordinators' back office in the Wagtail admin, under /admin/coordinators/.

Every object comes through coordinators.permissions (via coordinators.selectors), so another
country's event is a 404; every write goes through events.services, which checks again."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from events import exports, maps, services, spam
from events.forms import CancelForm, CoordinatorEventForm, RejectForm, RequestChangesForm, show_service_errors
from events.models import Event

from . import charts, dashboard, permissions, selectors
from .shortcuts import coordinator_required, paginate, queue_filters, render_admin, review_event_or_404


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
        request.POST or None,
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
        request.POST or None, instance=event,
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


# Dashboards -----------------------------------------------------------------------------------


@coordinator_required
def dashboard_index(request):
    if permissions.is_eu_team(request.user):
        return redirect("coordinators:dashboard_eu")
    first = sorted(permissions.coordinator_countries(request.user))[0]
    return redirect("coordinators:dashboard", country=first)


def _period_or_400(request):
    """For the CSV exports, which have no page to show an error on."""
    try:
        return dashboard.parse_period(request.GET), None
    except dashboard.InvalidPeriod as error:
        return None, HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")


def _period_form(period, error=None, params=None):
    """What the period form shows: the period's own values, or, after an invalid request, what was
    asked for with the error next to the fields at fault."""
    values = {"kind": period.kind, "month": period.start.strftime("%Y-%m"),
              "from": period.start.isoformat(), "to": period.end.isoformat(), "error": "", "fields": ()}
    if error is not None:
        values.update(kind=params.get("period", ""), error=str(error), fields=error.fields)
        for name in ("month", "from", "to"):
            if name in error.fields or name in params:
                values[name] = params.get(name, "")[:20]
    return values


def _dashboard_period(request):
    """The period asked for, the period form and the page's status. An invalid period is a 400
    that still shows the whole dashboard, for the default period, with the error on the form."""
    try:
        period = dashboard.parse_period(request.GET)
    except dashboard.InvalidPeriod as error:
        period = dashboard.the_year()
        return period, _period_form(period, error, request.GET), 400
    return period, _period_form(period), 200


def _scoped_country_or_404(request, country):
    code = permissions.scoped_country(request.user, country)
    if code is None or country != code:
        raise Http404
    return code


@coordinator_required
def country_dashboard(request, country):
    country = _scoped_country_or_404(request, country)
    period, period_form, status = _dashboard_period(request)
    board = dashboard.country_dashboard(request.user, country, period)
    from django_countries import countries

    name = str(countries.name(country))
    title = _("Dashboard: %(country)s") % {"country": name}
    return render_admin(request, "coordinators/dashboard.html", {
        "page_title": title, "header_title": title, "board": board, "country_name": name,
        "period": period, "period_form": period_form, "period_query": urlencode(period.as_params()),
        "countries": permissions.coordinator_country_choices(request.user),
        "charts": charts.country_charts(board),
        "breadcrumbs": [{"url": "", "label": title}],
    }, status=status)


@coordinator_required
def eu_dashboard(request):
    if not permissions.is_eu_team(request.user):
        raise PermissionDenied
    period, period_form, status = _dashboard_period(request)
    rows = dashboard.eu_dashboard(request.user, period)
    sort = request.GET.get("sort", "name")
    keys = {"name": lambda r: r.name, "events": lambda r: -r.events, "published": lambda r: -r.published,
            "submitted": lambda r: -r.submitted, "confirmed": lambda r: -r.confirmed}
    rows = sorted(rows, key=keys.get(sort, keys["name"]))
    title = _("Dashboard: all countries")
    return render_admin(request, "coordinators/dashboard_eu.html", {
        "page_title": title, "header_title": title, "rows": rows, "sort": sort, "period": period,
        "period_form": period_form, "period_query": urlencode(period.as_params()),
        "attention": [row for row in rows if row.escalated or not row.coordinators],
        "columns": [("name", _("Country")), ("events", _("Events")), ("published", _("Published")),
                    ("submitted", _("Waiting for review")), ("confirmed", _("Confirmed registrations"))],
        "charts": charts.eu_charts(rows),
        "breadcrumbs": [{"url": "", "label": title}],
    }, status=status)


@coordinator_required
def dashboard_csv(request, country, table):
    country = _scoped_country_or_404(request, country)
    period, error = _period_or_400(request)
    if error:
        return error
    if table == "events":
        return exports.country_events_csv(dashboard.country_event_rows(request.user, country, period),
                                          f"events-{country.lower()}-{period.start}-{period.end}.csv")
    board = dashboard.country_dashboard(request.user, country, period)
    tables = charts.country_tables(board)
    if table not in tables:
        raise Http404
    header, rows = tables[table]
    return exports.table_csv(header, rows, f"{table}-{country.lower()}-{period.start}-{period.end}.csv")


@coordinator_required
def eu_dashboard_csv(request):
    if not permissions.is_eu_team(request.user):
        raise PermissionDenied
    period, error = _period_or_400(request)
    if error:
        return error
    header, rows = charts.eu_table(dashboard.eu_dashboard(request.user, period))
    return exports.table_csv(header, rows, f"countries-{period.start}-{period.end}.csv")


@coordinator_required
def coverage(request):
    """Which campaign and national pages exist, and are live, in which language."""
    matrix = selectors.page_coverage(request.user)
    title = _("Translations of pages")
    return render_admin(request, "coordinators/coverage.html", {
        "page_title": title, "header_title": title, "matrix": matrix,
        "languages": [code for code, _name in settings.LANGUAGES],
        "breadcrumbs": [{"url": "", "label": title}],
    })
