"""Dashboard figures for one country and for the whole EU. Every figure is an aggregate computed
by the database; a country's dashboard costs a fixed number of queries (11), whatever the number
of events. The events a user may see come from coordinators.permissions."""

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, IntegerField, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import Event, Registration

from . import permissions
from .models import CoordinatorAssignment

S = Event.Status
R = Registration.Status
TOP = 10


FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    kind: str = "year"

    @property
    def start_dt(self):
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def end_dt(self):
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    def as_params(self):
        if self.kind == "month":
            return {"period": "month", "month": self.start.strftime("%Y-%m")}
        if self.kind == "custom":
            return {"period": "custom", "from": self.start.isoformat(), "to": self.end.isoformat()}
        return {"period": self.kind}


ALL_DATES = Period(FIRST_DAY, LAST_DAY, "all")


def the_year():
    """The dashboards' default period: the Year's dates from EYOS_YEAR ("2026-05-09/2027-05-08");
    without them every date ("all"), not the calendar year, which hid most of a country's events
    when the Year spans two calendar years."""
    configured = getattr(settings, "EYOS_YEAR", "")
    if configured:
        first, last = configured.split("/")
        return Period(date.fromisoformat(first), date.fromisoformat(last), "year")
    return ALL_DATES


class InvalidPeriod(ValueError):
    """A period that cannot be read. `fields` names the inputs at fault ("period", "month",
    "from", "to"), so the form can show the error next to them."""

    def __init__(self, message, fields=()):
        super().__init__(message)
        self.fields = tuple(fields)




def _day(value):
    try:
        day = date.fromisoformat(value or "")
    except (ValueError, TypeError):
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None


def parse_period(params):
    """The period from query parameters; InvalidPeriod (a 400) for anything malformed."""
    kind = params.get("period", "year")
    fields = ("period",)
    if kind == "year":
        return the_year()
    if kind == "all":
        return ALL_DATES
    if kind == "month":
        fields = ("month",)
        try:
            year, month = (int(part) for part in params.get("month", "").split("-"))
            if not 2000 <= year <= 2100:
                raise ValueError
            last = calendar.monthrange(year, month)[1]
            return Period(date(year, month, 1), date(year, month, last), "month")
        except (ValueError, TypeError):
            pass
    elif kind == "custom":
        first, last = _day(params.get("from")), _day(params.get("to"))
        if first and last and first <= last:
            return Period(first, last, "custom")
        fields = tuple(name for name, day in (("from", first), ("to", last)) if day is None) or ("from", "to")
    raise InvalidPeriod(_("Choose a valid period: the Year, a month (YYYY-MM), or two dates in order."), fields)


@dataclass
class CountryDashboard:
    country: str
    period: Period
    status: dict = field(default_factory=dict)
    queue_size: int = 0
    queue_oldest: datetime | None = None
    median_decision: timedelta | None = None
    upcoming: int = 0
    past: int = 0
    topics: list = field(default_factory=list)       # (label, count)
    formats: list = field(default_factory=list)
    languages: list = field(default_factory=list)
    months: list = field(default_factory=list)       # (date, count)
    cities: list = field(default_factory=list)
    registrations: dict = field(default_factory=dict)
    capacity: int = 0
    confirmed_on_capacity: int = 0
    fullest: list = field(default_factory=list)      # events with .confirmed and .capacity
    organisations: list = field(default_factory=list)
    current: bool = True  # False: the figures a change replaces, shown while they are computed again

    @property
    def fill_rate(self):
        return self.confirmed_on_capacity / self.capacity if self.capacity else None

    @property
    def total(self):
        return sum(self.status.values())

    @property
    def median_decision_hours(self):
        return round(self.median_decision.total_seconds() / 3600) if self.median_decision is not None else None

    @property
    def fill_percent(self):
        return round(100 * self.fill_rate) if self.fill_rate is not None else None

    @property
    def queue_oldest_days(self):
        """Whole days the oldest submission has waited, counted as the home panel counts them."""
        return (timezone.now() - self.queue_oldest).days if self.queue_oldest else 0


def _country_events(user, country, period):
    events = permissions.moderatable_events(user).filter(country=country)
    return events.filter(start__gte=period.start_dt, start__lt=period.end_dt)


def _median_decision(events, count):
    """Median time from submission to decision among the `count` decided events, computed by the
    database (the middle row by offset) so it works the same on SQLite and PostgreSQL."""
    if not count:
        return None
    decided = events.filter(submitted_at__isnull=False, decided_at__isnull=False).annotate(
        took=ExpressionWrapper(F("decided_at") - F("submitted_at"), output_field=DurationField())
    )
    # A slice, not an index: an event decided, deleted or moved out of the period since the count
    # leaves one row fewer (no median then, rather than an error).
    middle = list(decided.order_by("took").values_list("took", flat=True)[count // 2:count // 2 + 1])
    return middle[0] if middle else None


def _grouped(queryset, key, labels=None, limit=None):
    """(label, events) per value of `key`, most first. COUNT(*), not COUNT(DISTINCT id): each row is
    one event (the only join, to the organisation, is many-to-one), and PostgreSQL can then answer
    from the dashboard's covering index alone."""
    rows = queryset.order_by().values(key).annotate(n=Count("*")).order_by("-n", key)
    if limit:
        rows = rows[:limit]
    return [((labels or {}).get(row[key], row[key]), row["n"]) for row in rows]


def _topic_counts(published):
    """(topic name, events) per topic of the default language, most first, then by slug: from the
    events' topic_key ("3,7", kept from their links), grouped by the database (a few dozen
    combinations) and split here, instead of joining the links. One query; the topics' names come
    from events.selectors.topics_by_id (cached until topics change)."""
    from events.selectors import topics_by_id

    topics = topics_by_id()
    counts = {}
    for key, n in published.exclude(topic_key="").order_by().values_list("topic_key").annotate(n=Count("*")):
        for pk in key.split(","):
            topic = topics.get(int(pk))
            if topic is not None:
                counts[topic] = counts.get(topic, 0) + n
    return [(name, n) for (_rank, name, slug), n in sorted(counts.items(), key=lambda item: (-item[1], item[0][2]))]


DASHBOARD_TTL = 24 * 3600


def board_parts(country, period):
    """What a country's figures are kept under (with the data version): the period, the language
    (labels) and the hour (upcoming and past move with the clock)."""
    from django.utils import translation

    return ("dashboard", country, period.start, period.end, translation.get_language(),
            timezone.now().strftime("%Y%m%d%H"))


def country_dashboard(user, country, period, *, use_cache=True, stale_ok=False):
    """Every figure of one country's dashboard: 11 queries, whatever the number of events; then
    served from the shared cache until any event or registration changes (data version).

    With `stale_ok` (the page, not its CSV exports) the figures are computed by one process at a
    time (events.cache.cached_once_at_a_time): while another computes them after a change, the
    figures it replaces, at most seconds old, with `board.current` False (the page must not be
    kept then)."""
    from events.cache import cached, cached_once_at_a_time

    permissions.require(permissions.scoped_country(user, country) is not None)
    if not use_cache:
        return _country_dashboard(user, country, period)

    def compute():
        return _country_dashboard(user, country, period)

    if not stale_ok:
        return cached(board_parts(country, period), compute, DASHBOARD_TTL)
    board, current = cached_once_at_a_time(board_parts(country, period), compute, DASHBOARD_TTL)
    board.current = current
    return board


def _country_dashboard(user, country, period):
    now = timezone.now()
    events = _country_events(user, country, period)
    published = events.filter(status=S.PUBLISHED)
    board = CountryDashboard(country=country, period=period)

    # 1: statuses, queue, upcoming and past in one aggregate. COUNT(start) (never null; Django has
    # no COUNT(*) FILTER): a column of the covering index (event_dashboard_idx), as every column
    # read here is, so PostgreSQL reads the index and not the events' rows.
    figures = events.aggregate(
        **{status: Count("start", filter=Q(status=status)) for status in S.values},
        upcoming=Count("start", filter=Q(status=S.PUBLISHED, start__gte=now)),
        past=Count("start", filter=Q(status=S.PUBLISHED, start__lt=now)),
        capacity=Sum("capacity", filter=Q(status=S.PUBLISHED, capacity__gt=0)),
        decided=Count("start", filter=Q(submitted_at__isnull=False, decided_at__isnull=False)),
    )
    # The queue is what waits now, whatever the period.
    queue = permissions.moderatable_events(user).filter(country=country, status=S.SUBMITTED).aggregate(
        size=Count("*"), oldest=Min("submitted_at"))  # 2
    board.status = {status: figures[status] for status in S.values}
    board.upcoming, board.past = figures["upcoming"], figures["past"]
    board.queue_size, board.queue_oldest = queue["size"], queue["oldest"]
    board.median_decision = _median_decision(events, figures["decided"])  # 3

    board.topics = _topic_counts(published)  # 4
    board.formats = _grouped(published, "format", dict(Event.Format.choices))  # 5
    board.languages = _grouped(published, "language", dict(settings.LANGUAGES))  # 6
    board.months = [(row["month"], row["n"]) for row in published.annotate(month=TruncMonth("start"))
                    .order_by().values("month").annotate(n=Count("*")).order_by("month")]  # 7
    board.cities = _grouped(published.exclude(city=""), "city", limit=TOP)  # 8

    # From the events' side: one pass over them (a join), not the events again in an IN (…).
    registrations = events.aggregate(
        **{status: Count("registrations__status", filter=Q(registrations__status=status)) for status in R.values},
        on_capacity=Count("registrations__status", filter=Q(registrations__status=R.CONFIRMED, status=S.PUBLISHED,
                                                    capacity__gt=0)),
    )  # 9
    board.capacity, board.confirmed_on_capacity = figures["capacity"] or 0, registrations.pop("on_capacity")
    board.registrations = registrations
    confirmed = Registration.objects.filter(event=OuterRef("pk"), status=R.CONFIRMED).order_by().values(
        "event").annotate(n=Count("status")).values("n")
    with_capacity = published.filter(capacity__gt=0).annotate(
        confirmed=Coalesce(Subquery(confirmed, output_field=IntegerField()), 0))
    fill = ExpressionWrapper(F("confirmed") * 1000 / F("capacity"), output_field=IntegerField())
    # The ten fullest chosen from the covering index alone (their ids), their rows read for those
    # ten only, ordered here as the database ordered them (integer division, as in SQL).
    fullest = with_capacity.filter(start__gte=now).annotate(fill=fill).order_by("-fill", "start", "pk")
    board.fullest = sorted(
        with_capacity.filter(pk__in=Subquery(fullest.values("pk")[:TOP]))
        .only("uid", "title", "start", "timezone", "capacity", "language"),
        key=lambda event: (-(event.confirmed * 1000 // event.capacity), event.start, event.pk),
    )  # 10
    board.organisations = _grouped(published, "organisation__name", limit=TOP)  # 11
    return board


@dataclass
class CountryRow:
    country: str
    name: str
    events: int = 0
    published: int = 0
    submitted: int = 0
    oldest_submission: datetime | None = None
    confirmed: int = 0
    waitlisted: int = 0
    coordinators: int = 0

    @property
    def escalated(self):
        from .selectors import escalation_cutoff

        waiting_too_long = self.oldest_submission is not None and self.oldest_submission < escalation_cutoff()
        return waiting_too_long or (self.submitted and not self.coordinators)


def eu_dashboard(user, period):
    """Every participating country side by side. 3 queries."""
    from django_countries import countries

    permissions.require(permissions.is_eu_team(user))
    events = permissions.moderatable_events(user).filter(start__gte=period.start_dt, start__lt=period.end_dt)
    rows = {code: CountryRow(code, str(countries.name(code))) for code in settings.EYOS_COUNTRIES}
    # COUNT(start), never null: the columns of the covering index alone (event_dashboard_idx).
    for row in events.order_by().values("country").annotate(
        n=Count("start"), published=Count("start", filter=Q(status=S.PUBLISHED)),
        submitted=Count("start", filter=Q(status=S.SUBMITTED)),
        oldest=Min("submitted_at", filter=Q(status=S.SUBMITTED)),
    ):
        if row["country"] in rows:
            target = rows[row["country"]]
            target.events, target.published, target.submitted = row["n"], row["published"], row["submitted"]
            target.oldest_submission = row["oldest"]
    # From the events' side: one pass over them joined to their registrations.
    for row in events.order_by().values("country").annotate(
        confirmed=Count("registrations__status", filter=Q(registrations__status=R.CONFIRMED)),
        waitlisted=Count("registrations__status", filter=Q(registrations__status=R.WAITLISTED)),
    ):
        if row["country"] in rows:
            rows[row["country"]].confirmed = row["confirmed"]
            rows[row["country"]].waitlisted = row["waitlisted"]
    for row in CoordinatorAssignment.objects.filter(user__is_active=True).order_by().values("country").annotate(
        n=Count("pk")
    ):
        if row["country"] in rows:
            rows[row["country"]].coordinators = row["n"]
    return sorted(rows.values(), key=lambda row: row.name)


def country_event_rows(user, country, period):
    """The country's events with their registration counts, for the CSV export (streamed)."""
    events = _country_events(user, country, period)
    return events.select_related("organisation").annotate(
        confirmed=Count("registrations", filter=Q(registrations__status=R.CONFIRMED), distinct=True),
        waitlisted=Count("registrations", filter=Q(registrations__status=R.WAITLISTED), distinct=True),
    ).order_by("start", "pk")
