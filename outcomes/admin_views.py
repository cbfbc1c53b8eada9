"""The outcome dashboard in the Wagtail admin: reported figures per country (a coordinator's
countries; every country and the EU total for the EU team), by industrial ecosystem and by
partnership, each table also as CSV. Countries come from coordinators.permissions."""

from django.http import Http404
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django_countries import countries as country_names

from coordinators import permissions
from coordinators.shortcuts import coordinator_required, render_admin
from events.exports import table_csv

from . import selectors
from .models import Ecosystem, OutcomeReport, PartnershipKind


def _events(request):
    """The user's countries' events, or one of them with ?country=XX (another country: 404)."""
    asked = request.GET.get("country", "")
    if asked:
        code = permissions.scoped_country(request.user, asked)
        if code is None:
            raise Http404
        return permissions.moderatable_events(request.user).filter(country=code), code
    return permissions.moderatable_events(request.user), ""


def _tables(request):
    events, country = _events(request)
    rows = selectors.outcome_by_country(events)
    for row in rows:
        row["name"] = str(country_names.name(row["country"]))
    ecosystems = dict(Ecosystem.choices)
    kinds = dict(PartnershipKind.choices)
    by_ecosystem = [{**row, "label": ecosystems.get(row["ecosystem"], row["ecosystem"])}
                    for row in selectors.outcome_by(events, "ecosystem")]
    by_partnership = [{**row, "label": kinds.get(row["partnership_kind"], row["partnership_kind"])}
                      for row in selectors.outcome_by(events, "partnership_kind")]
    return rows, by_ecosystem, by_partnership, country


def _total(rows):
    if not rows:
        return None
    total = {key: sum(row[key] for row in rows) for key in ("ended", "reported", *selectors.COUNTRY_FIGURES)}
    total["share_reported"] = round(100 * total["reported"] / total["ended"]) if total["ended"] else None
    people = sum(selectors.population().get(row["country"], 0) for row in rows)
    total["per_million"] = round(total["participants"] * 1_000_000 / people, 1) if people else None
    return total


@coordinator_required
def dashboard(request):
    rows, by_ecosystem, by_partnership, country = _tables(request)
    title = _("Outcomes of the events")
    return render_admin(request, "outcomes/admin/dashboard.html", {
        "page_title": title, "header_title": title, "rows": rows, "by_ecosystem": by_ecosystem,
        "by_partnership": by_partnership, "country": country, "columns": country_header(),
        "ecosystem_columns": group_header("ecosystem"), "partnership_columns": group_header("partnership_kind"),
        "total": _total(rows) if permissions.is_eu_team(request.user) and not country else None,
        "countries": permissions.coordinator_country_choices(request.user),
        "breadcrumbs": [{"url": "", "label": title}],
    })


def _label(field):
    return capfirst(OutcomeReport._meta.get_field(field).verbose_name)


def country_header():
    return [_("Country"), _("Events ended"), _("Share reported (%)"),
            *(_label(field) for field in selectors.COUNTRY_FIGURES), _("Participants per million inhabitants")]


def group_header(field):
    return [_label(field), _("Reports"), _label("participants"), _label("people_trained"), _label("skills_validated")]


@coordinator_required
def dashboard_csv(request, table):
    rows, by_ecosystem, by_partnership, country = _tables(request)
    suffix = country.lower() or "all"
    if table == "countries":
        body = [[r["name"], r["ended"], "" if r["share_reported"] is None else r["share_reported"],
                 r["participants"], r["women"], r["men"], r["people_trained"], r["skills_validated"],
                 r["employers_involved"], "" if r["per_million"] is None else r["per_million"]] for r in rows]
        return table_csv(country_header(), body, f"outcomes-countries-{suffix}.csv")
    groups = {"ecosystems": (by_ecosystem, "ecosystem"), "partnerships": (by_partnership, "partnership_kind")}
    if table not in groups:
        raise Http404
    data, field = groups[table]
    body = [[r["label"], r["reports"], r["participants"], r["people_trained"], r["skills_validated"]] for r in data]
    return table_csv(group_header(field), body, f"outcomes-{table}-{suffix}.csv")


