"""Public reads of events. Each selector owns its query budget: the list page and the feeds issue
the same number of queries whatever the number of events."""

import logging
import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    BooleanField, Count, DateTimeField, ExpressionWrapper, F, Max, Min, OuterRef, Prefetch, Subquery, Sum, Value,
)
from django.db.models.functions import Coalesce
from django.db.models.expressions import RawSQL
from django.utils import timezone, translation

from . import geo
from .criteria import ACCESSIBILITY
from .models import Event, Registration, Topic
from .prepared import Prepared

logger = logging.getLogger(__name__)

LIST_FIELDS = (
    "uid", "title", "slug", "summary", "language", "start", "end", "timezone", "city", "country", "format",
    "capacity", "status", "registration_mode", "organisation__name", "image", "image_alt", "topic_key",
)
SEARCH_LIMIT = 2000


def published_events():
    """Events the public may see: published ones, and cancelled ones (shown as cancelled)."""
    return Event.objects.filter(status__in=Event.PUBLIC)


def upcoming_events(*, country=None, topic=None, limit=3, now=None):
    """The next published events that have not ended, soonest start first (those under way, then
    those to come), for the campaign pages' "upcoming events" block. Two parts, each as quick
    with 100,000 past events as with none: one query ordered by start over the events that have
    not ended walked every past event in the start index before reaching the first one that
    counts (44 ms at 100,000 events, more as the Year goes by). On PostgreSQL the two parts are
    one statement (UNION ALL), on SQLite at most two queries (SoonestFirst)."""
    now = now or timezone.now()
    events = Event.objects.filter(status=Event.Status.PUBLISHED)
    if country:
        events = events.filter(country=country)
    if topic:
        events = events.filter(topics__slug=topic)
    events = events.select_related("organisation").only(*LIST_FIELDS)
    return SoonestFirst(events, now)[:limit]  # the list's own order, as its first page


# An event's time as a range, as the GiST index (events.migrations.0012) has it.
UNDER_WAY_RANGE = '"events_event"."start", "events_event"."end"'


def under_way(events, now):
    """`events` that have started and not ended at `now`, by start. On PostgreSQL from the
    GiST index on their time range (events.migrations.0012, published events), which finds them
    whatever the number of past events; ordered by an expression the start index cannot give, or
    the planner walks that index from the oldest event instead (it does not know how few are
    under way)."""
    if connection.vendor != "postgresql":
        return events.filter(start__lte=now, end__gte=now).order_by("start", "pk")
    started_first = ExpressionWrapper(F("start") + Value(timedelta(0)), output_field=DateTimeField())
    return events.filter(
        RawSQL(f"tstzrange({UNDER_WAY_RANGE}, '[]') @> %s", (now,), output_field=BooleanField())
    ).order_by(started_first, "pk")


# Renditions of event images: cards (16:9), the event page and link previews (1.91:1, the size
# Open Graph and most sharing sites ask for).
CARD_IMAGE = "fill-640x360|format-webp"
PAGE_IMAGE = "fill-1200x630|format-jpeg"


def with_images(events, spec=CARD_IMAGE):
    """Set `picture` (a Wagtail image with its `spec` rendition fetched, or None) and `picture_alt`
    on each event: its own image, else its first topic's. One query for the images and their
    renditions when there are any, none otherwise."""
    from wagtail.images import get_image_model

    events = list(events)
    defaults = topic_images()
    shown = {event.pk: event.shown_image(defaults) for event in events}
    ids = {choice[0] for choice in shown.values() if choice}
    images = {}
    if ids:
        images = {image.pk: image for image in get_image_model().objects.filter(pk__in=ids).prefetch_renditions(spec)}
    for event in events:
        choice = shown[event.pk]
        event.picture = images.get(choice[0]) if choice else None
        event.picture_alt = choice[1] if choice else ""
    return events


def page_picture(event):
    """The event page's rendition of the event's image (its own, else its topic's), or None; also
    None when the original file is gone (a restore without the media volume …): the page stays up
    without it. Sets `picture_alt` on the event."""
    from wagtail.images.models import SourceImageIOError

    with_images([event], PAGE_IMAGE)
    if not event.picture:
        return None
    try:
        return event.picture.get_rendition(PAGE_IMAGE)
    except SourceImageIOError:
        logger.warning("event image %s: original file missing", event.picture.pk)
        return None


def topic_choices():
    """(slug, name in the active language) for every topic, by name. Topics are stored in the
    default language; names come from their translation where one exists. One query, then cached
    until topics change."""
    from .cache import cached

    return cached(("topic_choices", translation.get_language()), _topic_choices, labels_only=True)


def _topic_choices():
    default = settings.LANGUAGE_CODE
    active = translation.get_language() or default
    originals, translated = {}, {}
    rows = Topic.objects.filter(locale__language_code__in={active, default}).values(
        "slug", "name", "translation_key", "locale__language_code"
    )
    for row in rows:
        if row["locale__language_code"] == default:
            originals[row["translation_key"]] = row
        if row["locale__language_code"] == active:
            translated[row["translation_key"]] = row["name"]
    return sorted(
        ((row["slug"], translated.get(key, row["name"])) for key, row in originals.items()), key=lambda c: c[1]
    )


def _topic_index():
    """(slug → id, id → (default image id, its description)) of the topics in the default
    language (the ones events link to). One query, then cached until topics or images change."""
    from .cache import cached

    def compute():
        ids, images = {}, {}
        for slug, pk, image_id, description in Topic.objects.filter(
                locale__language_code=settings.LANGUAGE_CODE).values_list("slug", "id", "image_id", "image__description"):
            ids[slug] = pk
            if image_id:
                images[pk] = (image_id, description or "")
        return ids, images

    return cached(("topic_index",), compute, labels_only=True)


def topic_ids():
    """slug → id of the topics in the default language (the ones events link to)."""
    return _topic_index()[0]


def topic_images():
    """topic id → (image id, the image's description) for the topics with a default image."""
    return _topic_index()[1]


def topic_names_by_key():
    """translation_key → topic name in the active language (for iCal CATEGORIES). One query, then
    cached."""
    from .cache import cached

    return cached(("topic_names", translation.get_language()), _topic_names_by_key, labels_only=True)


def _topic_names_by_key():
    default = settings.LANGUAGE_CODE
    active = translation.get_language() or default
    names = {}
    rows = Topic.objects.filter(locale__language_code__in={active, default}).values(
        "name", "translation_key", "locale__language_code"
    ).order_by("locale__language_code" if active > default else "-locale__language_code")
    for row in rows:  # the active language's name is read last and wins
        names[row["translation_key"]] = row["name"]
    return names


def _day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


# Search-engine syntax (quotes, brackets, *, ^, :) is not for visitors: an unmatched quote made
# SQLite's full-text MATCH fail. Words (any script), apostrophes and hyphens stay.
_SEARCH_NOISE = re.compile(r"[^\w\s'-]+")


def search_terms(q):
    return " ".join(_SEARCH_NOISE.sub(" ", q or "").split())


def _searched_ids(q, events):
    from wagtail.search.backends import get_search_backend

    q = search_terms(q)
    if not q:
        return []
    results = get_search_backend().search(q, events.only("pk"), operator="and")
    ids = [event.pk for event in results[:SEARCH_LIMIT]]
    # Across languages: topic and country names in all 24, organisers' translations (one query).
    from contenttranslation.search import cross_language_condition

    # Asked even when the text search filled the list, so a page costs the same queries whatever
    # the number of events.
    condition = cross_language_condition(q)
    if condition is not None:
        found = set(ids)
        ids += [pk for pk in events.filter(condition).order_by("start", "pk").values_list("pk", flat=True)[:SEARCH_LIMIT]
                if pk not in found][: SEARCH_LIMIT - len(found)]
    return ids


def filtered_events(filters, *, exclude=(), now=None, include_cancelled=False):
    """Published events matching the filters. `exclude` leaves out some filters (for the counts
    of each filter's options). With `near`, only events within `within` km of it (their distance
    is the alias `distance`, for ordering)."""
    now = now or timezone.now()
    events = published_events() if include_cancelled else Event.objects.filter(status=Event.Status.PUBLISHED)
    if not include_cancelled:
        events = events.filter(end__lt=now) if filters.past else events.filter(end__gte=now)
    if filters.countries and "country" not in exclude:
        events = events.filter(country__in=filters.countries)
    if filters.topics and "topic" not in exclude:
        # A semi-join (EXISTS/IN), not a join: no duplicate rows, so no DISTINCT over every column
        # (which made the list's count and page queries take seconds at 100,000 events). On the
        # topics' ids, not their slug and locale: PostgreSQL then knows how many events a topic
        # has and walks the events in date order for a page (a join misled its estimate by 80×,
        # and it counted every matching event before taking the first 20).
        ids = topic_ids()
        events = events.filter(pk__in=Event.topics.through.objects.filter(
            topic_id__in=[ids[slug] for slug in filters.topics if slug in ids]).values("event_id"))
    if filters.format and "format" not in exclude:
        events = events.filter(format=filters.format)
    if filters.language and "language" not in exclude:
        events = events.filter(language=filters.language)
    if filters.date_from:
        events = events.filter(end__gte=_day_start(filters.date_from))
    if filters.date_to:
        events = events.filter(start__lt=_day_start(filters.date_to + timedelta(days=1)))
    if filters.audiences:
        events = events.filter(target_audience__in=filters.audiences)
    for need in ACCESSIBILITY:
        if getattr(filters, need):
            events = events.filter(**{need: True})
    if filters.near:
        events = geo.within(events, *filters.near, filters.within_km)
    return events




def _search_matches(filters):
    """The ids of the published events the free text finds (cached until the next write), or None
    without text."""
    from .cache import cached

    if not filters.q:
        return None
    return cached(("search", filters.q), lambda: _searched_ids(
        filters.q, Event.objects.filter(status=Event.Status.PUBLISHED)), events_only=True)


@dataclass
class EventSearch:
    events: object  # ordered and ready to paginate: a queryset, or SoonestFirst (sliced alike)
    facets: dict  # filter name → {value: count}; "total": the number of matching events
    # False when the counts are the last ones while another process counts the new ones
    # (events.cache.cached_once_at_a_time): what shows them must not be kept as current.
    current: bool = True


# While events keep changing (an import: each count overtaken by a change while it ran), the list's
# counts are counted again about once a second, not without pause (events.cache.cached_once_at_a_time).
FACETS_SETTLE_SECONDS = 1.0


def event_search(filters, *, now=None, sort=""):
    """The event list: the queryset and, for each filter, how many events each option gives with
    the other filters applied. 1 search query when there is text, then 1 facet query (every facet,
    see _facet_cells; shared by all combinations of the faceted filters, counted by one process at
    a time) and the topics' ids, all cached until events change; the page itself is its rows
    (soonest first: those under way, then those to come, see SoonestFirst). `sort`: "" (nearest first with `near`, else
    soonest), "soonest", "newest" (latest added first) or "nearest"."""
    from .cache import cached, cached_once_at_a_time

    now = now or timezone.now()
    hour = now.strftime("%Y%m%d%H")  # "upcoming" moves with the clock
    matching_ids = _search_matches(filters)

    def base(exclude=()):
        events = filtered_events(filters, exclude=exclude, now=now)
        if matching_ids is not None:
            events = events.filter(pk__in=matching_ids)
        return events

    # The cells do not depend on the faceted filters: one query serves every combination of
    # countries, topics, format and language (until events change or the hour turns), counted by
    # one process at a time (while it counts, the others show the counts it replaces).
    others = replace(filters, countries=(), topics=(), format="", language="")
    cells_parts = ("facet_cells", others, hour)

    def count_facets():
        cells = cached(cells_parts, lambda: _facet_cells(base(exclude=FACETED)), events_only=True)
        return _facets_from_cells(cells, filters)

    facets, current = cached_once_at_a_time(("facets", filters, hour), count_facets, events_only=True,
                                            busy=cells_parts, settle=FACETS_SETTLE_SECONDS)
    order = ("-start", "-pk") if filters.past else ("start", "pk")
    events = base().select_related("organisation").only(*LIST_FIELDS)
    if filters.near:  # nearest first (unless another order is asked), each with its distance
        events = events.annotate(distance_km=F("distance"))
        if sort in ("", "nearest"):
            order = ("distance", *order)
    if sort == "newest":  # the list's "Newest added"
        order = ("-created_at", "-pk")
    if order == ("start", "pk"):  # upcoming events, soonest first: without walking the past ones
        return EventSearch(events=SoonestFirst(events, now), facets=facets, current=current)
    return EventSearch(events=events.order_by(*order), facets=facets, current=current)


class SoonestFirst:
    """Events that have not ended at `now`, soonest start first, as `events.order_by("start",
    "pk")` gives them, sliced like a queryset (by the paginator, the embed), from two queries that
    never walk past events: those under way (the GiST index on PostgreSQL, see under_way) and
    those to come (start > now, the start indexes; on PostgreSQL, for the first pages, both
    parts in one UNION ALL statement). Every event under way started before every event to come, so the
    second follows the first. One query ordered by start over the events
    that have not ended read every past event of the filters in the start index first: 12 ms for
    Türkiye's 6,400 past events at 100,000 events, all of the Year's by its end."""

    ordered = True
    # Up to this many rows (the list's first 10 pages) both parts go in one UNION ALL statement on
    # PostgreSQL, each part bringing up to that many; deeper pages count the events under way.
    ONE_STATEMENT_ROWS = 200

    def __init__(self, events, now):
        self.under_way = under_way(events, now)
        self.to_come = events.filter(start__gt=now).order_by("start", "pk")

    def __getitem__(self, item):
        if not isinstance(item, slice) or item.step not in (None, 1) or item.stop is None:
            raise TypeError("SoonestFirst is sliced with [start:stop]")
        start, stop = item.start or 0, item.stop
        if stop <= start:
            return []
        if stop <= self.ONE_STATEMENT_ROWS and connection.features.supports_slicing_ordering_in_compound:
            # PostgreSQL, the first pages: the first `stop` of each part, in one statement; every
            # event under way sorts before every event to come, so the slice is the list's.
            both = self.under_way[:stop].union(self.to_come[:stop], all=True)
            return sorted(both, key=lambda event: (event.start, event.pk))[start:stop]
        if start == 0:  # the first page: how many are under way need not be counted
            started = list(self.under_way[:stop])
            offset = 0
        else:
            n = self.under_way.count()
            started = list(self.under_way[start:stop]) if start < n else []
            offset = max(0, start - n)
        wanted = stop - start - len(started)
        return started + (list(self.to_come[offset:offset + wanted]) if wanted else [])


def with_places_taken(events):
    """Set `places_taken` on a page of events with one grouped query over those events only (an
    annotation on the whole list would count registrations for every matching event)."""
    from . import pagecache

    events = list(events)
    with pagecache.reading_registrations([event.uid for event in events]):
        taken = dict(
            Registration.objects.filter(event__in=[event.pk for event in events], status=Registration.Status.CONFIRMED)
            .order_by().values("event").annotate(n=Count("pk")).values_list("event", "n")
        )
    for event in events:
        event.places_taken = taken.get(event.pk, 0)
    return events


def feed_queryset(filters, *, now=None):
    """Events of a calendar feed before free-text search: the filters within the feed window,
    cancelled ones included (calendars must learn of the cancellation). Also the feed's validator:
    any change among these events changes the feed's ETag."""

    now = now or timezone.now()
    events = filtered_events(replace(filters, past=False), now=now, include_cancelled=True)
    return events.filter(end__gte=now - settings.EYOS_FEED_PAST, start__lte=now + settings.EYOS_FEED_FUTURE)


def feed_validator(filters, *, now=None):
    """(last change, number of events) of a feed, in one query, then kept in the cache until the
    next write: what its ETag is made of."""
    from django.db.models import Max

    from .cache import cached

    now = now or timezone.now()

    def compute():
        result = feed_queryset(filters, now=now).aggregate(last=Max("updated_at"), count=Count("pk"))
        return result["last"], result["count"]

    return cached(("feed_validator", filters, now.date()), compute, events_only=True)


def feed_events(filters, *, now=None):
    """The events of a feed, at most EYOS_FEED_MAX_EVENTS of them, soonest first."""

    events = feed_queryset(filters, now=now)
    if filters.q:
        events = events.filter(pk__in=_searched_ids(filters.q, published_events()))
    return list(
        events.select_related("organisation")
        .prefetch_related(Prefetch("topics", queryset=Topic.objects.only("name", "translation_key")))
        .order_by("start", "pk")[: settings.EYOS_FEED_MAX_EVENTS]
    )


def personal_feed_registrations(token):
    """The registrations behind a personal feed token, with their events; None for an unknown
    token. Cancelled registrations drop out; cancelled events stay (as cancelled)."""
    from django.contrib.auth import get_user_model

    if not token or not re.fullmatch(r"[A-Za-z0-9_-]{20,64}", token):
        return None  # not one of ours (and never a NUL byte sent on to PostgreSQL)
    from coordinators import permissions

    user = get_user_model().objects.filter(feed_token=token, is_active=True).only("pk", "email", "is_active").first()
    if user is None:
        return None
    return list(
        permissions.own_registrations(user).filter(status__in=Registration.ACTIVE,
                                    event__status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED])
        .select_related("event", "event__organisation")
        .prefetch_related(Prefetch("event__topics", queryset=Topic.objects.only("name", "translation_key")))
        .order_by("event__start", "pk")
    )


# The filters whose facets come from one grouped count (events.Event.topic_key holds the topics).
FACETED = ("country", "format", "language", "topic")


def _facet_cells(events):
    """[(country, format, language, topic_key, number of events)] of `events`, from one query. On
    PostgreSQL it reads only the index event_facets_idx (no join of the topic links, no table
    rows): about 35 ms at 100,000 events, 60,000 of them upcoming. The rows (7,500 cells) are read
    as the database gives them: they are plain strings and counts, and Django's per-row
    conversion took a quarter as long again as the query."""
    query = events.order_by().values_list("country", "format", "language", "topic_key").annotate(n=Count("*"))
    try:
        sql, params = query.query.sql_with_params()
    except EmptyResultSet:  # known to match nothing (a search that found nothing)
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]


def _facets_from_cells(cells, filters):
    """Every facet and the total: each cell's count goes to a facet's options when the cell passes
    the other three faceted filters (as counting with that facet's filter left out would), and to
    the total when it passes all four."""
    ids = topic_ids()
    slugs = {topic_id: slug for slug, topic_id in ids.items()}
    countries, fmt, language = set(filters.countries), filters.format, filters.language
    chosen_topics = {str(ids[slug]) for slug in filters.topics if slug in ids}
    passes_topic = {}  # topic_key → whether it passes the topic filter (a few dozen distinct keys)
    by_country, by_format, by_language, by_key = Counter(), Counter(), Counter(), Counter()
    for country, cell_format, cell_language, key, n in cells:
        pt = passes_topic.get(key)
        if pt is None:
            pt = passes_topic[key] = not filters.topics or not chosen_topics.isdisjoint(key.split(","))
        pc = not countries or country in countries
        pf = not fmt or cell_format == fmt
        pl = not language or cell_language == language
        if pf and pl and pt:
            by_country[country] += n
        if pc and pl and pt:
            by_format[cell_format] += n
        if pc and pf and pt:
            by_language[cell_language] += n
        if pc and pf and pl:
            by_key[key] += n
    by_topic = Counter()
    for key, n in by_key.items():
        for pk in key.split(",") if key else ():
            if int(pk) in slugs:
                by_topic[slugs[int(pk)]] += n
    total = sum(n for key, n in by_key.items() if passes_topic[key])
    return {"country": dict(by_country), "format": dict(by_format), "language": dict(by_language),
            "topic": dict(by_topic), "total": total}


def event_detail(uid, events=None):
    """A public event (or one of `events`: an organiser's preview of a draft) with everything its
    page shows, or Event.DoesNotExist. One query: the confirmed registrations are counted in a
    subquery (grouping the event's ~100 columns took PostgreSQL longer to plan than to run), and
    the topics' names come from the event's topic_key (with_topic_labels), not from a second query."""
    from . import pagecache

    # Its place count comes with the event: the page cache reads its registrations version first.
    with pagecache.reading_registrations([uid]):
        if events is None:  # the public page: compiled once per process (events.prepared)
            found = _public_event_detail(uid)
            if not found:
                raise Event.DoesNotExist("No public event with this uid.")
            return found[0]
        return _event_detail_query(events).get(uid=uid)


def _event_detail_query(events):
    confirmed = (Registration.objects.filter(event=OuterRef("pk"), status=Registration.Status.CONFIRMED)
                 .order_by().values("event").annotate(n=Count("pk")).values("n"))
    return (events.select_related("organisation", "feed_source__feed")
            .annotate(places_taken=Coalesce(Subquery(confirmed), 0)))


# The public event page's query (event_detail): building and compiling it was ~31% of the page's
# first render after a change; its shape never changes, only the uid (unique: one row at most).
_public_event_detail = Prepared(Event, "uid", lambda uid: _event_detail_query(published_events()).filter(uid=uid)[:1])


def with_topic_labels(events):
    """Set `topic_labels` on each event: the names of its topics in the active language, in the
    order of their names in the default language (as event.topics.all() lists them), from its
    topic_key: no query (the topics are cached until they change)."""
    events = list(events)
    topics = names = None
    for event in events:
        if not event.topic_key:
            event.topic_labels = ()
            continue
        if topics is None:
            topics, names = topics_by_id(), dict(topic_choices())
        linked = sorted(topics[int(pk)] for pk in event.topic_key.split(",") if int(pk) in topics)
        event.topic_labels = [names.get(slug, name) for _rank, name, slug in linked]
    return events


def topics_by_id():
    """id → (rank of its name in the default language, in the database's order as
    event.topics.all() gives it, the name, slug) of the topics events link to. One query, then
    cached until topics change."""
    from .cache import cached

    def compute():
        rows = Topic.objects.filter(locale__language_code=settings.LANGUAGE_CODE).order_by("name", "pk")
        return {pk: (rank, name, slug) for rank, (pk, name, slug) in enumerate(rows.values_list("pk", "name", "slug"))}

    return cached(("topics_by_id", "ranked"), compute, labels_only=True)


def places_left(event):
    if event.capacity is None:
        return None
    return max(0, event.capacity - event.places_taken)


def organiser_event_list(user):
    """An organiser's events, newest first, with what the dashboard shows. One query."""
    from coordinators import permissions

    return list(
        permissions.organiser_events(user).select_related("organisation")
        .only("uid", "title", "status", "start", "timezone", "moderation_comment", "rejection_reason",
              "organisation__name", "organisation__slug")
        .order_by("-created_at", "-pk")
    )


def my_registrations(user):
    from coordinators import permissions

    return list(
        permissions.own_registrations(user).select_related("event")
        .only("status", "created_at", "event__uid", "event__title", "event__start", "event__timezone",
              "event__status", "event__language")
        .order_by("-event__start", "-pk")
    )


def registrants(event):
    """Confirmed first, then the waiting list in its order, then pending and cancelled."""
    rank = {Registration.Status.CONFIRMED: 0, Registration.Status.WAITLISTED: 1, Registration.Status.PENDING: 2,
            Registration.Status.CANCELLED: 3}
    rows = list(event.registrations.only(
        "name", "email", "status", "language", "created_at", "confirmed_at", "waitlisted_at", "cancelled_at", "event_id"
    ))
    return sorted(rows, key=lambda r: (rank[r.status], r.waitlisted_at or r.created_at, r.pk))


def personal_data(user):
    """Everything EYOS holds on a person (GDPR art. 20), as plain JSON-ready data: the account and
    its addresses, sign-in factors (which, not their secrets), registrations (also those made as a
    guest with one of the account's verified addresses), organisations, roles, the events the
    person created or decided on, their actions in the admin's audit log, and their admin
    preferences."""
    from allauth.mfa.models import Authenticator
    from wagtail.models import ModelLogEntry, PageLogEntry
    from wagtail.users.models import UserProfile

    from coordinators import permissions

    def when(value):
        return value.isoformat() if value else None

    def events(**lookup):
        return [{"event": event.title, "event_url_id": str(event.uid), "status": event.status,
                 "created": when(event.created_at), "decided": when(event.decided_at)}
                for event in Event.objects.filter(**lookup).order_by("created_at")]

    profile = UserProfile.objects.filter(user=user).first()
    actions = sorted(
        [*ModelLogEntry.objects.filter(user=user), *PageLogEntry.objects.filter(user=user)],
        key=lambda entry: entry.timestamp,
    )
    from allauth.account.models import EmailAddress

    return {
        "account": {
            "email": user.email, "first_name": user.first_name, "last_name": user.last_name,
            "preferred_language": user.preferred_language, "date_joined": when(user.date_joined),
            "last_login": when(user.last_login), "staff": user.is_staff, "eu_team": user.is_superuser,
            "groups": sorted(user.groups.values_list("name", flat=True)),
        },
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user)
        ],
        "sign_in_factors": [
            {"type": authenticator.type, "created": when(authenticator.created_at),
             "last_used": when(authenticator.last_used_at)}
            for authenticator in Authenticator.objects.filter(user=user).order_by("created_at")
        ],
        "registrations": [
            {"event": r.event.title, "event_url_id": str(r.event.uid), "event_start": when(r.event.start),
             "name": r.name, "email": r.email, "status": r.status, "language": r.language,
             "registered": when(r.created_at), "consent_given": when(r.consent_at),
             "consent_version": r.consent_version, "confirmed": when(r.confirmed_at),
             "cancelled": when(r.cancelled_at)}
            for r in permissions.own_registrations(user).select_related("event").order_by("created_at")
        ],
        "organisations": [
            {"name": org.name, "country": org.country.code, "website": org.website}
            for org in permissions.member_organisations(user)
        ],
        "coordinator_of": sorted(user.coordinator_assignments.values_list("country", flat=True)),
        "events_created": events(created_by=user),
        "events_decided": events(decided_by=user),
        "admin_actions": [
            {"action": entry.action, "on": entry.label, "at": when(entry.timestamp)} for entry in actions
        ],
        "admin_preferences": {
            "language": profile.preferred_language, "time_zone": profile.current_time_zone,
            "theme": profile.theme, "contrast": profile.contrast, "density": profile.density,
        } if profile else None,
        "calendar_link_active": bool(user.feed_token),
    }


# --- the map -----------------------------------------------------------------------------------

MAP_MAX_CELLS = 2500  # grid cells a box may cover: the rows the clustering query may return
MAP_MAX_EVENTS = 150  # single events in one answer; beyond, neighbouring cells are merged
MAP_MAX_BYTES = 190_000  # an answer is never larger (the API promises 200 KB)
MAP_TITLE_LENGTH = 120


@dataclass
class _Cell:
    x: int
    y: int
    count: int
    sum_x: int  # micro-degrees
    sum_y: int
    min_x: int
    min_y: int
    max_x: int
    max_y: int
    first: int  # the event's pk when count is 1

    def merged_into_parent(self, cells):
        parent = cells.get((self.x >> 1, self.y >> 1))
        if parent is None:
            cells[(self.x >> 1, self.y >> 1)] = _Cell(self.x >> 1, self.y >> 1, self.count, self.sum_x, self.sum_y,
                                                      self.min_x, self.min_y, self.max_x, self.max_y, self.first)
            return
        parent.count += self.count
        parent.sum_x += self.sum_x
        parent.sum_y += self.sum_y
        parent.min_x, parent.min_y = min(parent.min_x, self.min_x), min(parent.min_y, self.min_y)
        parent.max_x, parent.max_y = max(parent.max_x, self.max_x), max(parent.max_y, self.max_y)
        parent.first = min(parent.first, self.first)


def _coarser(cells):
    """The cells of the grid one level coarser (cells twice as wide and high): exactly what the
    database would count with that grid, since floor(x / 2c) = floor(floor(x / c) / 2)."""
    parents = {}
    for cell in cells:
        cell.merged_into_parent(parents)
    return sorted(parents.values(), key=lambda c: (c.y, c.x))


def map_grid(box, zoom):
    return geo.Grid.covering(box, geo.shift_for(zoom, box, MAP_MAX_CELLS))


def map_cells(filters, grid, *, now=None):
    """The matching events with coordinates in the grid's cells, counted per cell by the database:
    one grouped query (after the free-text search's, when there is text)."""
    events = filtered_events(filters, now=now).filter(grid.q())
    matching_ids = _search_matches(filters)
    if matching_ids is not None:
        events = events.filter(pk__in=matching_ids)
    lon, lat = geo.Grid.micro("longitude"), geo.Grid.micro("latitude")
    rows = (
        events.annotate(**grid.cell_expressions()).values("cell_x", "cell_y")
        .annotate(count=Count("pk"), sum_x=Sum(lon), sum_y=Sum(lat), min_x=Min(lon), min_y=Min(lat),
                  max_x=Max(lon), max_y=Max(lat), first=Min("pk"))
        .order_by("cell_y", "cell_x")
    )
    # PostgreSQL sums bigints as numerics (Decimal): integers, whatever the database.
    return [_Cell(*(int(row[name]) for name in ("cell_x", "cell_y", "count", "sum_x", "sum_y", "min_x", "min_y",
                                                 "max_x", "max_y", "first"))) for row in rows]


def _degrees(micro):
    return micro / geo.MICRO


def _cluster_feature(cell):
    return {"type": "Feature",
            "geometry": {"type": "Point", "coordinates": [_degrees(round(cell.sum_x / cell.count)),
                                                          _degrees(round(cell.sum_y / cell.count))]},
            "properties": {"cluster": True, "count": cell.count,
                           "bbox": [_degrees(cell.min_x), _degrees(cell.min_y), _degrees(cell.max_x),
                                    _degrees(cell.max_y)]}}


def _event_feature(cell, event, url_pattern):
    title = event.title if len(event.title) <= MAP_TITLE_LENGTH else event.title[:MAP_TITLE_LENGTH - 1] + "…"
    return {"type": "Feature",
            "geometry": {"type": "Point", "coordinates": [_degrees(cell.min_x), _degrees(cell.min_y)]},
            "properties": {"cluster": False, "uid": str(event.uid), "title": title,
                           "start": event.start.astimezone(event.tzinfo).isoformat(), "city": event.city[:60],
                           "url": url_pattern.replace(MAP_UID_PLACEHOLDER, str(event.uid))}}


MAP_UID_PLACEHOLDER = "00000000-0000-4000-8000-00000000e1d0"


def _geojson(features, total):
    import json

    return json.dumps({"type": "FeatureCollection", "total": total, "features": features},
                      ensure_ascii=False, separators=(",", ":")).encode()


def map_geojson(filters, box, zoom, *, now=None):
    """The map's GeoJSON (bytes) for a bounding box and zoom: a cluster per grid cell holding
    several matching events, the event itself where a cell holds one. Event links are in the active
    language. Two queries (three with free text), whatever the number of events and the zoom; the
    answer is cached until the next write (and the hour changes: "upcoming" moves with the clock),
    and never larger than MAP_MAX_BYTES: where there would be too many single events, or too many
    bytes, neighbouring cells are merged into clusters."""
    from django.urls import reverse

    from .cache import cached

    now = now or timezone.now()
    grid = map_grid(box, zoom)
    language = translation.get_language() or settings.LANGUAGE_CODE

    def compute():
        cells = map_cells(filters, grid, now=now)
        total = sum(cell.count for cell in cells)
        while sum(cell.count == 1 for cell in cells) > MAP_MAX_EVENTS:
            cells = _coarser(cells)
        singles = [cell.first for cell in cells if cell.count == 1]
        # Asked even when there is no single event (pk 0 is never one): the same two queries at
        # every size and zoom.
        events = {event.pk: event for event in Event.objects.filter(pk__in=[*singles, 0]).order_by()
                  .only("uid", "title", "start", "timezone", "city")}
        url_pattern = reverse("events:detail", kwargs={"uid": MAP_UID_PLACEHOLDER})
        while True:
            body = _geojson([_event_feature(cell, events[cell.first], url_pattern) if cell.count == 1
                             else _cluster_feature(cell) for cell in cells], total)
            if len(body) <= MAP_MAX_BYTES or len(cells) <= 1:
                return body
            cells = _coarser(cells)

    return cached(("map", filters, grid, language, now.strftime("%Y%m%d%H")), compute, events_only=True)


def place_point(name):
    """Where a typed town or city is, for "events near": the mean position of the published
    events placed in a city of that name (any case). Known places only, from the site's own data:
    no geocoder is asked while the visitor waits. One query; None when no event is there."""
    from django.db.models import Avg

    name = " ".join(str(name or "").split())[:120]
    if not name:
        return None
    found = (Event.objects.filter(status=Event.Status.PUBLISHED, city__iexact=name,
                                  latitude__isnull=False, longitude__isnull=False)
             .aggregate(lat=Avg("latitude"), lon=Avg("longitude")))
    if found["lat"] is None:
        return None
    return round(float(found["lat"]), 4), round(float(found["lon"]), 4)
