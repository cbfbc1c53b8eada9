"""Reads for the coordinators' back office. Every queryset starts from coordinators.permissions,
so a coordinator never reads another country's event; each selector owns its query budget."""

import difflib
import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import BooleanField, Case, Count, Min, Q, Value, When
from django.utils import timezone
from wagtail.models import ModelLogEntry

from events.models import Event

from . import permissions
from .models import CoordinatorAssignment

QUEUE_FIELDS = (
    "uid", "title", "country", "start", "timezone", "submitted_at", "status", "language",
    "organisation__name", "organisation__verified", "geocode_failed", "spam_score", "spam_reasons", "spot_check",
)

# The queue's orders: oldest submission first (the default), newest, highest spam score, country.
QUEUE_SORTS = {
    "oldest": ("submitted_at", "pk"),
    "newest": ("-submitted_at", "-pk"),
    "spam": ("-spam_score", "submitted_at", "pk"),
    "country": ("country", "submitted_at", "pk"),
}


def countries_without_coordinator():
    covered = set(CoordinatorAssignment.objects.filter(user__is_active=True).values_list("country", flat=True))
    return sorted(set(settings.EYOS_COUNTRIES) - covered)


def escalation_cutoff():
    return timezone.now() - timedelta(days=settings.EYOS_ESCALATION_DAYS)


@dataclass(frozen=True)
class QueueFilters:
    country: str = ""
    q: str = ""
    escalated: bool = False
    older_than: int | None = None  # days
    sort: str = "oldest"


def moderation_queue(user, filters=QueueFilters()):
    """Submitted events of the user's countries, and events published directly that wait for their
    spot check; oldest submission first unless `filters.sort` says otherwise. For the EU team,
    events of countries without a coordinator and those waiting too long are marked escalated."""
    events = permissions.moderatable_events(user).filter(
        Q(status=Event.Status.SUBMITTED) | Q(status=Event.Status.PUBLISHED, spot_check=True)
    )
    if filters.country:
        events = events.filter(country=filters.country)
    if filters.q:
        events = events.filter(Q(title__icontains=filters.q) | Q(organisation__name__icontains=filters.q))
    if filters.older_than:
        events = events.filter(submitted_at__lte=timezone.now() - timedelta(days=filters.older_than))
    if permissions.is_eu_team(user):
        escalated = Q(submitted_at__lt=escalation_cutoff()) | Q(country__in=countries_without_coordinator())
        events = events.annotate(escalated=Case(When(escalated, then=Value(True)), default=Value(False), output_field=BooleanField()))
        if filters.escalated:
            events = events.filter(escalated=True)
    else:
        events = events.annotate(escalated=Value(False, output_field=BooleanField()))
    order = QUEUE_SORTS.get(filters.sort, QUEUE_SORTS["oldest"])
    return events.select_related("organisation").only(*QUEUE_FIELDS).order_by(*order)


@dataclass(frozen=True)
class QueueSummary:
    count: int
    oldest_days: int
    escalated: int


def queue_summary(user):
    """For the admin homepage panel: how many events wait, and for how long. One or two queries."""
    events = permissions.moderatable_events(user).filter(status=Event.Status.SUBMITTED)
    aggregates = {"count": Count("pk"), "oldest": Min("submitted_at")}
    if permissions.is_eu_team(user):
        aggregates["escalated"] = Count(
            "pk", filter=Q(submitted_at__lt=escalation_cutoff()) | Q(country__in=countries_without_coordinator())
        )
    result = events.aggregate(**aggregates)
    oldest = result["oldest"]
    return QueueSummary(
        count=result["count"],
        oldest_days=(timezone.now() - oldest).days if oldest else 0,
        escalated=result.get("escalated", 0),
    )


def coordinator_event_list(user, *, status="", country="", q=""):
    events = permissions.moderatable_events(user)
    if status:
        events = events.filter(status=status)
    if country:
        events = events.filter(country=country)
    if q:
        events = events.filter(Q(title__icontains=q) | Q(organisation__name__icontains=q))
    return events.select_related("organisation").only(*QUEUE_FIELDS).order_by("-start", "-pk")


def review_event(user, uid):
    """The event under review with everything the page shows, or Event.DoesNotExist."""
    return (
        permissions.moderatable_events(user)
        .select_related("organisation", "decided_by", "created_by", "feed_source__feed")
        .prefetch_related("topics")
        .get(uid=uid)
    )


HISTORY_LIMIT = 50


def event_history(event):
    """The event's own history, newest first. Registrations are counted elsewhere; listing each
    of them here would bury the moderation decisions."""
    return list(
        ModelLogEntry.objects.for_instance(event).exclude(action__startswith="eyos.registration.")
        .select_related("user").order_by("-timestamp", "-pk")[:HISTORY_LIMIT]
    )


def _normalised_title(title):
    return re.sub(r"[^\w]+", " ", title.casefold()).strip()


TITLE_SIMILARITY = 0.85


def possible_duplicates(user, event, limit=10):
    """Events that may be the same as this one, among those the user may see: the same
    organisation on the same day, the same normalised link, or a near-identical title on the same
    day. Two queries at most, whatever the number of events."""
    local_start = timezone.localtime(event.start, event.tzinfo)
    day_start = local_start.replace(hour=0, minute=0, second=0, microsecond=0)
    same_day = Q(start__gte=day_start, start__lt=day_start + timedelta(days=1))
    match = same_day
    if event.normalised_url:
        match |= Q(normalised_url=event.normalised_url)
    candidates = (
        permissions.moderatable_events(user)
        .filter(match)
        .exclude(pk=event.pk)
        .exclude(status=Event.Status.REJECTED)
        .select_related("organisation")
        .only("uid", "title", "start", "timezone", "status", "country", "normalised_url",
              "organisation_id", "organisation__name")
        .order_by("start", "pk")[:500]
    )
    title = _normalised_title(event.title)
    found = []
    for other in candidates:
        reasons = []
        on_same_day = day_start <= other.start < day_start + timedelta(days=1)
        if on_same_day and other.organisation_id == event.organisation_id:
            reasons.append("organisation")
        if event.normalised_url and other.normalised_url == event.normalised_url:
            reasons.append("url")
        if on_same_day and difflib.SequenceMatcher(None, title, _normalised_title(other.title)).ratio() >= TITLE_SIMILARITY:
            reasons.append("title")
        if reasons:
            found.append(Duplicate(event=other, reasons=tuple(reasons)))
            if len(found) >= limit:
                break
    return found


@dataclass(frozen=True)
class Duplicate:
    event: Event
    reasons: tuple


@dataclass
class CoverageRow:
    title: str
    cells: dict  # language code → "live", "draft" or absent
    edit_urls: dict

    @property
    def missing(self):
        return len(settings.LANGUAGES) - len(self.cells)

    @property
    def columns(self):
        """(language, "live"/"draft"/"", page id) in the order of settings.LANGUAGES."""
        return [(code, self.cells.get(code, ""), self.edit_urls.get(code)) for code, _name in settings.LANGUAGES]


def page_coverage(user):
    """For each page the user follows: in which languages it exists and is live. One query."""
    rows = {}
    pages = permissions.coverage_pages(user).values(
        "pk", "translation_key", "title", "live", "locale__language_code", "path", "alias_of"
    ).order_by("path")
    for page in pages:
        row = rows.setdefault(page["translation_key"], CoverageRow(title=page["title"], cells={}, edit_urls={}))
        code = page["locale__language_code"]
        if page["alias_of"] is not None:
            continue  # a placeholder (wagtail-localize's copy of another language's page): not translated
        if code == settings.LANGUAGE_CODE:
            row.title = page["title"]
        row.cells[code] = "live" if page["live"] else "draft"
        row.edit_urls[code] = page["pk"]
    return list(rows.values())


@dataclass(frozen=True)
class CountryFigures:
    code: str
    name: str
    upcoming: int
    waiting: int
    confirmed: int


def country_key_figures(user):
    """For the admin home: each of the user's countries with its upcoming published events, its
    queue and its confirmed registrations. Two queries."""
    from django_countries import countries

    from events.models import Registration

    now = timezone.now()
    codes = sorted(permissions.coordinator_countries(user))
    events = permissions.moderatable_events(user).filter(country__in=codes)
    figures = {row["country"]: row for row in events.order_by().values("country").annotate(
        upcoming=Count("pk", filter=Q(status=Event.Status.PUBLISHED, start__gte=now)),
        waiting=Count("pk", filter=Q(status=Event.Status.SUBMITTED)),
    )}
    confirmed = dict(
        Registration.objects.filter(event__in=events, event__start__gte=now, status=Registration.Status.CONFIRMED)
        .order_by().values("event__country").annotate(n=Count("pk")).values_list("event__country", "n")
    )
    return [
        CountryFigures(code, str(countries.name(code)), figures.get(code, {}).get("upcoming", 0),
                       figures.get(code, {}).get("waiting", 0), confirmed.get(code, 0))
        for code in codes
    ]
