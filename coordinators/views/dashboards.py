"""Dashboards (one country's, all countries') with their CSV tables, and the translation coverage
of the campaign and national pages."""

from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django_countries import countries

from events import exports
from events.pagecache import dont_keep, personal_page

from .. import charts, dashboard, permissions, selectors
from ..shortcuts import coordinator_required, render_admin


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
@personal_page("country-dashboard")
def country_dashboard(request, country):
    country = _scoped_country_or_404(request, country)
    period, period_form, status = _dashboard_period(request)
    board = dashboard.country_dashboard(request.user, country, period, stale_ok=True)
    if not board.current:
        dont_keep(request)  # figures another process is computing again: not kept as this page
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
@personal_page("eu-dashboard")
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
