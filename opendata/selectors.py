"""Reads for the open data: the API's pages, one event, topics and countries, and the dataset's
iteration over every public event. The events are the event list's own (events.selectors), with
the same filters; these functions add only keyset pagination and the API's fixed query budget."""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from events import selectors as event_selectors
from events.criteria import EventFilters
from events.models import Topic

# Everything the API and the dataset show of an event; nothing about people (no creator, no
# moderation notes, no registrants, no online link: that is for registrants).
PUBLIC_FIELDS = (
    "uid", "title", "summary", "description", "language", "format", "status", "start", "end", "timezone",
    "venue", "address", "city", "postcode", "country", "latitude", "longitude", "target_audience", "capacity",
    "registration_mode", "external_registration_url", "step_free_access", "sign_language", "captions",
    "accessibility_notes", "updated_at", "organisation__name",
)
TOPICS = Prefetch("topics", queryset=Topic.objects.only("slug", "name").order_by("slug"))


class InvalidCursor(ValueError):
    pass


# How a page is ordered: the list's own order for upcoming and past events, the time of the last
# change for `updated_since` (what a client that keeps a copy in sync needs).
ORDERS = {
    "start": (("start", "pk"), "start", False),
    "-start": (("-start", "-pk"), "start", True),
    "updated": (("updated_at", "pk"), "updated_at", False),
}


def encode_cursor(order, event):
    field = ORDERS[order][1]
    raw = json.dumps([order, getattr(event, field).isoformat(), event.pk], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor, order):
    """(moment, pk) after which the next page starts; InvalidCursor for anything we did not write,
    or a cursor of another ordering (a `past` cursor used without `past`)."""
    if len(cursor) > 200:
        raise InvalidCursor(cursor)
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        kind, moment, pk = json.loads(raw)
        moment = datetime.fromisoformat(moment)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise InvalidCursor(cursor) from None
    if kind != order or type(pk) is not int or not 0 < pk < 2**63 or moment.tzinfo is None:
        raise InvalidCursor(cursor)
    return moment, pk


def _after(order, cursor):
    moment, pk = cursor
    _fields, field, descending = ORDERS[order]
    if descending:
        return Q(**{f"{field}__lt": moment}) | Q(**{field: moment, "pk__lt": pk})
    return Q(**{f"{field}__gt": moment}) | Q(**{field: moment, "pk__gt": pk})


@dataclass
class EventPage:
    events: list
    next_cursor: str | None


def api_order(filters, updated_since):
    if updated_since:
        return "updated"
    return "-start" if filters.past else "start"


def matching_events(filters, *, updated_since=None, now=None):
    """The events the list shows for these filters (free-text search included). With
    `updated_since`: every public event changed since then, past and coming, cancelled ones too
    (their status says so), so that a copy kept in sync learns of cancellations."""
    now = now or timezone.now()
    if updated_since:
        events = event_selectors.filtered_events(filters, now=now, include_cancelled=True)
        events = events.filter(updated_at__gte=updated_since)
    else:
        events = event_selectors.filtered_events(filters, now=now)
    ids = event_selectors._search_matches(filters)  # the list's search, and its cache entry
    if ids is not None:
        events = events.filter(pk__in=ids)
    return events


def event_page(filters, *, limit, cursor=None, updated_since=None, now=None):
    """One page of the API's event list: `limit` events after the cursor, in the list's order.
    Two queries (rows, topics), three with free text, whatever `limit`."""
    order = api_order(filters, updated_since)
    events = matching_events(filters, updated_since=updated_since, now=now)
    if cursor:
        events = events.filter(_after(order, decode_cursor(cursor, order)))
    rows = list(
        events.select_related("organisation").only(*PUBLIC_FIELDS).prefetch_related(TOPICS)
        .order_by(*ORDERS[order][0])[: limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return EventPage(events=rows, next_cursor=encode_cursor(order, rows[-1]) if more else None)


def public_event(uid):
    """A published (or cancelled) event, or Event.DoesNotExist. Two queries."""
    return (event_selectors.published_events().select_related("organisation").only(*PUBLIC_FIELDS)
            .prefetch_related(TOPICS).get(uid=uid))


def dataset_events(chunk_size=2000):
    """Every public event, published or cancelled, past and coming, oldest first: an iterator that
    holds one chunk in memory at a time (topics are fetched per chunk)."""
    return (event_selectors.published_events().select_related("organisation").only(*PUBLIC_FIELDS)
            .prefetch_related(TOPICS).order_by("pk").iterator(chunk_size=chunk_size))


def topics():
    """Every topic with its name in each language it is translated into. One query."""
    rows = Topic.objects.values("slug", "name", "translation_key", "locale__language_code").order_by("pk")
    default = settings.LANGUAGE_CODE
    by_key = {}
    for row in rows:
        entry = by_key.setdefault(row["translation_key"], {"slug": None, "name": None, "names": {}})
        entry["names"][row["locale__language_code"]] = row["name"]
        if row["locale__language_code"] == default:
            entry["slug"], entry["name"] = row["slug"], row["name"]
    return sorted((entry for entry in by_key.values() if entry["slug"]), key=lambda entry: entry["slug"])


def upcoming_counts_by_country(now=None):
    """Country code → number of coming published events. One grouped query."""
    events = event_selectors.filtered_events(EventFilters(), now=now)
    return {row["country"]: row["n"] for row in events.order_by().values("country").annotate(n=Count("pk"))}
