"""The event list's helpers for people: the chips of the filters in use (each a plain link that
removes one of them, so they work without JavaScript) and the quick dates ("today", "this
weekend", ...), computed in the site's time zone."""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import pgettext

from .models import Event

# Parameters that are no filter of their own: the page, the order, and the distance (part of `near`).
NOT_FILTERS = ("page", "sort", "within")


@dataclass(frozen=True)
class Chip:
    label: str
    url: str  # the list without this filter


def query_pairs(request, parameters):
    """The request's list parameters as (name, value) pairs, empty values left out."""
    return [(name, value) for name, values in request.GET.lists() if name in parameters
            for value in values if value.strip()]


def _list_url(pairs):
    return reverse("events:list") + ("?" + urlencode(pairs) if pairs else "")


def filter_chips(pairs, form, *, topics, countries):
    """A chip per filter value in use. `pairs`: the valid query's (name, value) pairs; each chip's
    link keeps every other pair (and the order), drops the page, and for `near` its distance too."""
    labels = _value_labels(form, topics=topics, countries=countries)
    chips = []
    for index, (name, value) in enumerate(pairs):
        if name in NOT_FILTERS:
            continue
        label = labels(name, value)
        if label is None:
            continue
        kept = [pair for position, pair in enumerate(pairs) if position != index and pair[0] != "page"
                and not (name == "near" and pair[0] == "within")]
        chips.append(Chip(label=label, url=_list_url(kept)))
    return chips


def _value_labels(form, *, topics, countries):
    field_label = {EVENT_PARAMETER.get(name, name): str(field.label) for name, field in form.fields.items()}
    names = {
        "country": dict(countries),
        "topic": dict(topics),
        "format": dict(Event.Format.choices),
        "language": dict(settings.LANGUAGES),
        "audience": dict(Event.Audience.choices),
    }

    def label(name, value):
        if name in names:
            return f"{field_label[name]}: {names[name].get(value, value)}"
        if name in ("from", "to"):
            try:
                day = date.fromisoformat(value)
            except ValueError:
                day = None
            return f"{field_label[name]}: {formats.date_format(day, 'DATE_FORMAT') if day else value}"
        if name in ("q", "near"):
            return f"{field_label[name]}: {value}"
        if name in ("past", "step_free_access", "sign_language", "captions"):
            return field_label[name]
        return None

    return label


EVENT_PARAMETER = {"date_from": "from", "date_to": "to"}


@dataclass(frozen=True)
class QuickDate:
    key: str
    label: str
    start: date
    end: date
    url: str = ""
    current: bool = False


def quick_ranges(now=None):
    """(key, start, end) of each quick date, from today in the site's time zone: today; this
    weekend (the coming Saturday and Sunday, or what is left of it); this week (to Sunday); this
    month (to its last day)."""
    today = timezone.localdate(now or timezone.now())
    weekday = today.weekday()  # Monday 0 … Sunday 6
    if weekday >= 5:
        weekend = (today, today + timedelta(days=6 - weekday))
    else:
        saturday = today + timedelta(days=5 - weekday)
        weekend = (saturday, saturday + timedelta(days=1))
    last_day = calendar.monthrange(today.year, today.month)[1]
    return [
        ("today", today, today),
        ("weekend", *weekend),
        ("week", today, today + timedelta(days=6 - weekday)),
        ("month", today, today.replace(day=last_day)),
    ]


def quick_dates(pairs, filters, now=None):
    """The quick dates as links: the other filters kept, `from` and `to` set (and `past` dropped)."""
    labels = {
        "today": pgettext("quick date", "Today"),
        "weekend": pgettext("quick date", "This weekend"),
        "week": pgettext("quick date", "This week"),
        "month": pgettext("quick date", "This month"),
    }
    kept = [pair for pair in pairs if pair[0] not in ("from", "to", "page", "past")]
    return [
        QuickDate(key=key, label=labels[key], start=start, end=end,
                  url=_list_url(kept + [("from", start.isoformat()), ("to", end.isoformat())]),
                  current=(filters.date_from, filters.date_to) == (start, end))
        for key, start, end in quick_ranges(now)
    ]
