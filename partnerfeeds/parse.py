"""A partner's feed read into items: each a source UID, the row of the bulk import's columns
(events.imports.COLUMNS, strings as a spreadsheet would hold them) and whether the source says
the event is cancelled. Validation is the import's (the event form's), in partnerfeeds.services.

Two formats:

* iCalendar (RFC 5545): every VEVENT with a UID. SUMMARY → title, DESCRIPTION → description (and
  its first sentence the summary), DTSTART/DTEND (or DURATION; all-day events run from midnight to
  midnight) in the event's TZID or the country's zone, LOCATION → address and city (on site),
  URL → the link to join when there is no LOCATION and the registration link, CATEGORIES → the
  topics whose slug they name, STATUS:CANCELLED → cancelled.
* JSON: a list of objects, or an object holding one under `results` (EYOS's own API, so one
  EYOS site can follow another), `events`, `items` or `data`. Each object has `uid` (or `id`) and
  the import's column names (`title`, `start`, …); `start`/`end` in ISO 8601 with an offset or as
  local times with `timezone`; EYOS's `registration` and `accessibility` objects are understood;
  `status: "cancelled"` cancels."""

import hashlib
import json
import re
import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from html import escape

from django.utils.text import slugify
from django.utils.translation import gettext as _

from events.zones import country_timezone

MAX_ITEMS = 5000
UID_MAX = 500


class FeedError(Exception):
    """The feed as a whole cannot be read; the message is for the coordinator."""


@dataclass
class Item:
    uid: str
    row: dict
    cancelled: bool = False
    problems: list = field(default_factory=list)

    @property
    def fingerprint(self):
        payload = json.dumps([self.row, self.cancelled], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()


@dataclass
class Defaults:
    language: str
    country: str
    topics: frozenset  # the slugs that exist

    @property
    def zone(self):
        return country_timezone(self.country) or "Europe/Brussels"


def parse(body, content_type, defaults):
    """Items of a feed body; FeedError when it is neither iCalendar nor JSON we can read."""
    text = _text(body)
    stripped = text.lstrip()
    kind = content_type.split(";", 1)[0].strip().lower()
    if stripped.startswith("BEGIN:VCALENDAR") or kind == "text/calendar":
        items = _ical_items(text, defaults)
    elif stripped[:1] in "[{" or kind.endswith("json"):
        items = _json_items(stripped, defaults)
    else:
        raise FeedError(_("The feed is neither iCalendar (.ics) nor JSON."))
    seen, unique = set(), []
    for item in items:
        if item.uid in seen:
            continue  # the first wins: a feed that repeats a UID does not flip-flop an event
        seen.add(item.uid)
        unique.append(item)
    return unique


def _text(body):
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FeedError(_("The feed's text encoding could not be read."))


# Values ----------------------------------------------------------------------------------------

def _clip(value, length):
    value = re.sub(r"\s+", " ", str(value or "")).strip()
    return value if len(value) <= length else value[: length - 1].rstrip() + "…"


def _summary(title, description_text):
    first = re.split(r"(?<=[.!?])\s", description_text.strip(), maxsplit=1)[0] if description_text else ""
    return _clip(first or title, 300)


def _paragraphs(text):
    """Plain text (iCal DESCRIPTION) as the description's HTML: paragraphs, escaped."""
    blocks = [block.strip() for block in re.split(r"\n\s*\n", str(text or "").replace("\r\n", "\n"))]
    return "".join(f"<p>{escape(block).replace(chr(10), '<br>')}</p>" for block in blocks if block)


def _zone(name, default):
    try:
        zoneinfo.ZoneInfo(name)
        return name
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        return default


def _local_text(moment, zone):
    return moment.astimezone(zoneinfo.ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def _place(location):
    """LOCATION text → (venue, address, postcode, city): 'Hall A, 1 Rue X, 75001 Paris'."""
    parts = [part.strip() for part in str(location or "").split(",") if part.strip()]
    if not parts:
        return "", "", "", ""
    last = parts[-1]
    match = re.match(r"^([0-9][0-9A-Z\- ]{2,9})\s+(.+)$", last) or re.match(r"^(.+?)\s+([0-9]{4,6})$", last)
    postcode, city = "", last
    if match:
        first, second = match.groups()
        postcode, city = (first, second) if first[0].isdigit() else (second, first)
    address_parts = parts[:-1] or [last]
    venue = ""
    if len(address_parts) > 1 and not re.search(r"\d", address_parts[0]):
        venue, address_parts = address_parts[0], address_parts[1:]
    return _clip(venue, 200), _clip(", ".join(address_parts), 300), _clip(postcode, 20), _clip(city, 120)


def _topics(values, defaults):
    slugs = []
    for value in values:
        slug = slugify(str(value))
        if slug in defaults.topics and slug not in slugs:
            slugs.append(slug)
    return ";".join(slugs)


def _items(entries, uid_of, build, defaults):
    """The first MAX_ITEMS entries with a usable UID, each built into an Item; an entry that
    cannot be built becomes an Item with its problem (one odd entry never stops the others)."""
    items = []
    for entry in entries:
        if len(items) >= MAX_ITEMS:
            break
        uid = str(uid_of(entry) or "").strip()
        if not uid or len(uid) > UID_MAX:
            continue
        try:
            items.append(build(entry, uid, defaults))
        except Exception:  # noqa: BLE001 - whatever a hostile entry raises, it is reported
            items.append(Item(uid=uid, row={}, problems=[_("This event could not be read.")]))
    return items


# iCalendar -------------------------------------------------------------------------------------

def _ical_items(text, defaults):
    import icalendar

    try:
        calendar = icalendar.Calendar.from_ical(text)
    except Exception:  # icalendar raises ValueError, KeyError, IndexError… on malformed input
        raise FeedError(_("The iCalendar feed could not be read (it is malformed).")) from None
    return _items(calendar.walk("VEVENT"), lambda component: component.get("UID"), _ical_item, defaults)


def _ical_moment(prop, zone):
    """(aware datetime, all_day) of a DTSTART/DTEND; floating times are in `zone`."""
    value = prop.dt
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=zoneinfo.ZoneInfo(zone))
        return value, False
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), tzinfo=zoneinfo.ZoneInfo(zone)), True
    raise ValueError("not a date")


def _ical_item(component, uid, defaults):
    start_prop = component.get("DTSTART")
    if start_prop is None:
        return Item(uid=uid, row={}, problems=[_("The event has no start.")])
    tzid = start_prop.params.get("TZID", "") if hasattr(start_prop, "params") else ""
    zone = _zone(tzid, defaults.zone)
    start, all_day = _ical_moment(start_prop, zone)
    if component.get("DTEND") is not None:
        end, _all_day = _ical_moment(component.get("DTEND"), zone)
    elif component.get("DURATION") is not None:
        end = start + component.get("DURATION").dt
    else:
        end = start + (timedelta(days=1) if all_day else timedelta(hours=1))
    if isinstance(getattr(start_prop, "dt", None), datetime) and start_prop.dt.tzinfo is not None and not tzid:
        zone = defaults.zone  # UTC times ("…Z"): shown in the country's zone
    title = _clip(component.get("SUMMARY"), 200)
    description_text = str(component.get("DESCRIPTION") or "")
    url = str(component.get("URL") or "").strip()
    location = str(component.get("LOCATION") or "").strip()
    categories = []
    for prop in component.get("CATEGORIES", []) if isinstance(component.get("CATEGORIES"), list) else [
            component.get("CATEGORIES")]:
        if prop is not None:
            categories += [str(category) for category in getattr(prop, "cats", [])]
    venue, address, postcode, city = _place(location)
    row = {
        "title": title,
        "summary": _summary(title, description_text),
        "description": _paragraphs(description_text),
        "language": defaults.language,
        "topics": _topics(categories, defaults),
        "format": "onsite" if location else "online",
        "online_url": "" if location else url,
        "venue": venue, "address": address, "city": city, "postcode": postcode,
        "start": _local_text(start, zone),
        "end": _local_text(end, zone),
        "timezone": zone,
        "registration_mode": "external" if url else "none",
        "external_registration_url": url,
    }
    status = str(component.get("STATUS") or "").upper()
    return Item(uid=uid, row=row, cancelled=status == "CANCELLED")


# JSON ------------------------------------------------------------------------------------------

JSON_LISTS = ("results", "events", "items", "data")
TEXT_COLUMNS = ("title", "summary", "description", "venue", "address", "city", "postcode", "online_url",
                "accessibility_notes", "external_registration_url", "format", "language")


def _json_items(text, defaults):
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise FeedError(_("The JSON feed could not be read (it is malformed).")) from None
    if isinstance(data, dict):
        data = next((data[key] for key in JSON_LISTS if isinstance(data.get(key), list)), None)
    if not isinstance(data, list):
        raise FeedError(_("The JSON feed holds no list of events."))
    entries = [entry for entry in data if isinstance(entry, dict)]
    return _items(entries, lambda entry: entry.get("uid") or entry.get("id"), _json_item, defaults)


def _json_moment(value, zone):
    """An ISO 8601 value (with or without offset, or a local 'YYYY-MM-DD HH:MM') as the local
    text in `zone`; '' when it cannot be read (the form then says the field is missing)."""
    text = str(value or "").strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text  # the form's own message for a time it cannot read
    if moment.tzinfo is None:
        return moment.strftime("%Y-%m-%d %H:%M")
    return _local_text(moment, zone)


def _json_item(entry, uid, defaults):
    zone = _zone(entry.get("timezone"), defaults.zone)
    row = {name: _clip(entry.get(name), 10_000) if name == "description" else str(entry.get(name) or "").strip()
           for name in TEXT_COLUMNS if entry.get(name) is not None}
    if "description" in entry:
        row["description"] = str(entry.get("description") or "")
    row["title"] = _clip(entry.get("title") or entry.get("name"), 200)
    if not row.get("summary"):
        row["summary"] = _summary(row["title"], re.sub(r"<[^>]+>", " ", row.get("description", "")))
    row.setdefault("language", defaults.language)
    topics = entry.get("topics") or []
    row["topics"] = _topics(topics.split(";") if isinstance(topics, str) else topics, defaults)
    row["start"] = _json_moment(entry.get("start"), zone)
    row["end"] = _json_moment(entry.get("end"), zone)
    row["timezone"] = zone
    row["target_audience"] = str(entry.get("target_audience") or entry.get("audience") or "everyone")
    registration = entry.get("registration")
    url = ""
    if isinstance(registration, dict):
        url = str(registration.get("url") or "")
    url = url or str(entry.get("external_registration_url") or entry.get("url") or "")
    row["registration_mode"] = "external" if url else "none"
    row["external_registration_url"] = url
    if not row.get("format"):
        row["format"] = "online" if row.get("online_url") and not row.get("address") else "onsite"
    accessibility = entry.get("accessibility") if isinstance(entry.get("accessibility"), dict) else entry
    for name in ("step_free_access", "sign_language", "captions"):
        if accessibility.get(name) in (True, "yes", "true", "1", 1):
            row[name] = "yes"
    if isinstance(entry.get("accessibility"), dict) and entry["accessibility"].get("notes"):
        row["accessibility_notes"] = str(entry["accessibility"]["notes"])
    return Item(uid=uid, row=row, cancelled=str(entry.get("status") or "").lower() == "cancelled")
