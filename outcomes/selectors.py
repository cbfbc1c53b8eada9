"""Reads for the outcomes pages, each with a fixed number of queries."""

import csv
from functools import lru_cache
from pathlib import Path

from django.db.models import Count, Exists, OuterRef, Q, Sum

from events.models import Event, Registration

from .models import Attendance, OutcomeReport


def check_in_list(event):
    """Confirmed registrants (attended or not, one query with their attendance) and walk-ins."""
    registrants = list(
        event.registrations.filter(status=Registration.Status.CONFIRMED)
        .select_related("attendance").only("name", "email", "status", "event_id", "attendance__id",
                                            "attendance__code", "attendance__registration_id")
        .order_by("name", "pk")
    )
    walk_ins = list(event.attendances.filter(walk_in=True).order_by("name", "pk"))
    return registrants, walk_ins


def attendees(event):
    """Everyone who was there, for the printable list: one query."""
    return list(event.attendances.select_related("registration").order_by("registration__name", "name", "pk"))


def attendance_for_code(code):
    return (Attendance.objects.select_related("event", "event__organisation", "registration")
            .prefetch_related("event__topics").filter(code=code.upper()).first())


def attendance_for_registration(registration):
    return (Attendance.objects.select_related("event", "event__organisation", "registration")
            .prefetch_related("event__topics").filter(registration=registration).first())


def awaiting_report(events, now=None):
    """Of these events, those that ended and have no outcome report yet."""
    from django.utils import timezone

    return events.filter(status=Event.Status.PUBLISHED, end__lte=now or timezone.now(),
                         outcome_report__isnull=True)


def outcome_totals(events):
    """Reported figures over `events` (already scoped by country by the caller): one query for
    the events ended, reported and attended, one for the sums."""
    from django.utils import timezone

    ended = events.filter(status=Event.Status.PUBLISHED, end__lte=timezone.now())
    counts = ended.aggregate(
        ended=Count("pk"),
        reported=Count("pk", filter=Q(Exists(OutcomeReport.objects.filter(event=OuterRef("pk"))))),
    )
    sums = OutcomeReport.objects.filter(event__in=ended).aggregate(
        **{field: Sum(field) for field in OutcomeReport.FIGURES}
    )
    totals = {**counts, **{key: value or 0 for key, value in sums.items()}}
    totals["share_reported"] = round(100 * totals["reported"] / totals["ended"]) if totals["ended"] else None
    return totals


def outcome_by(events, field):
    """Reported figures grouped by ecosystem or partnership kind."""
    return list(OutcomeReport.objects.filter(event__in=events).exclude(**{field: ""}).values(field)
                .annotate(reports=Count("pk"), participants=Sum("participants"),
                          people_trained=Sum("people_trained"), skills_validated=Sum("skills_validated"))
                .order_by(field))


def attended_registration_ids(registrations):
    return set(Attendance.objects.filter(registration__in=[r.pk for r in registrations], event__status=Event.Status.PUBLISHED)
               .values_list("registration_id", flat=True))


@lru_cache(maxsize=1)
def population():
    """{country code: inhabitants} from data/population.csv (source in data/README.md)."""
    with open(Path(__file__).resolve().parent / "data" / "population.csv", newline="") as handle:
        return {row["country"]: int(row["population"]) for row in csv.DictReader(handle)}

COUNTRY_FIGURES = ("participants", "women", "men", "people_trained", "skills_validated", "employers_involved")


def outcome_by_country(events):
    """One row per country of `events` (scoped by the caller): events ended, reported, the
    share reported, the reported sums and participants per million inhabitants. One query."""
    from django.utils import timezone

    rows = (events.filter(status=Event.Status.PUBLISHED, end__lte=timezone.now()).order_by().values("country")
            .annotate(ended=Count("pk"), reported=Count("outcome_report"),
                      **{name: Sum(f"outcome_report__{name}") for name in COUNTRY_FIGURES}))
    people = population()
    result = []
    for row in rows:
        row = {**row, **{name: row[name] or 0 for name in COUNTRY_FIGURES}}
        row["share_reported"] = round(100 * row["reported"] / row["ended"]) if row["ended"] else None
        inhabitants = people.get(row["country"])
        row["per_million"] = round(row["participants"] * 1_000_000 / inhabitants, 1) if inhabitants else None
        result.append(row)
    return sorted(result, key=lambda r: r["country"])
