"""iCalendar output (RFC 5545 / RFC 7986). One VEVENT per event, the same everywhere: feeds,
the single-event file and email attachments.

- The UID is `<event uid>@<site domain>`, in every feed and file.
- DTSTAMP and LAST-MODIFIED come from the event's last change, never from the clock, so an
  unchanged feed is byte-identical from one request to the next.
- Each event's rendered VEVENT is cached until the event changes (the key holds its
  `updated_at` and SEQUENCE), and a whole feed body is cached under its ETag. A warm feed of
  2,000 events is one aggregate query and one cache read; a cold one renders each event once.
"""

import hashlib
import html as html_module
import re
import uuid
from datetime import timezone as dt_timezone
from datetime import timedelta
from urllib.parse import urlsplit

import nh3
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from icalendar import Calendar, Event as VEvent, Timezone, vCalAddress, vDuration, vText
from icalendar.parser.string import _foldline  # the library's own folding, for identical output

PRODID = "-//European Year of Skills//EYOS//EN"
CACHE_VERSION = "v1"
VEVENT_TTL = 7 * 24 * 3600


def site_domain():
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def event_uid(event):
    return f"{event.uid}@{site_domain()}"


def event_url(event):
    language = event.language if event.language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    with translation.override(language):
        return settings.SITE_URL.rstrip("/") + reverse("events:detail", kwargs={"uid": event.uid})


def plain_text(html):
    """Rich text as plain text: block ends become line breaks, tags go, entities are decoded."""
    text = re.sub(r"</(p|h[1-6])>", "\n\n", html or "")
    text = re.sub(r"</li>|<br\s*/?>", "\n", text)
    text = nh3.clean(text, tags=set())
    return html_module.unescape(re.sub(r"\n{3,}", "\n\n", text)).strip()


def location(event, *, join_link=False):
    """Where the event happens. The link to join online is for registrants only: public feeds and
    pages say "Online"; the calendar file attached to registrants' emails carries the link."""
    from .models import Event

    online = event.online_url if join_link and event.online_url else str(Event.Format.ONLINE.label)
    if event.format == "online":
        return online
    parts = [event.venue, event.address, " ".join(filter(None, [event.postcode, event.city])), event.country.name]
    place = ", ".join(str(part) for part in parts if part)
    return f"{place} / {online}" if event.format == "hybrid" else place


def _topic_names(event, names):
    return [names.get(topic.translation_key, topic.name) for topic in event.topics.all()]


def build_vevent(event, *, topic_names=None, status=None, join_link=False):
    """The VEVENT of an event. `status` overrides STATUS (the personal feed marks waiting-list
    places TENTATIVE)."""
    from .models import Event

    vevent = VEvent()
    vevent.add("uid", event_uid(event))
    vevent.add("dtstamp", event.updated_at)
    vevent.add("last-modified", event.updated_at)
    vevent.add("created", event.created_at)
    vevent.add("sequence", event.sequence)
    # The organiser's translation (contenttranslation.selectors.with_translations) names its language.
    text_language = {"LANGUAGE": event.content_language} if event.content_language else {}
    vevent.add("summary", event.title, parameters=text_language)
    # Local time with the event's TZID, always: given an aware datetime, icalendar writes zones
    # that keep UTC's offset all year (Atlantic/Reykjavik) as UTC, losing the event's zone.
    tz = event.tzinfo
    vevent.add("dtstart", event.start.astimezone(tz).replace(tzinfo=None), parameters={"TZID": event.timezone})
    vevent.add("dtend", event.end.astimezone(tz).replace(tzinfo=None), parameters={"TZID": event.timezone})
    vevent.add("status", status or ("CANCELLED" if event.status == Event.Status.CANCELLED else "CONFIRMED"))
    place = location(event, join_link=join_link)
    if place:
        vevent.add("location", place)
    if event.latitude is not None and event.longitude is not None:
        vevent.add("geo", (float(event.latitude), float(event.longitude)))
    url = event_url(event)
    vevent.add("url", url)
    description = "\n\n".join(filter(None, [event.summary, plain_text(event.description), url]))
    vevent.add("description", description, parameters=text_language)
    topics = _topic_names(event, topic_names or {})
    if topics:
        vevent.add("categories", topics)
    organizer = vCalAddress(f"mailto:noreply@{site_domain()}")
    organizer.params["cn"] = vText(event.organisation.name)
    vevent.add("organizer", organizer)
    return vevent


def _text(value):
    """An iCalendar TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newline escaped."""
    return (str(value).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def _param(value):
    text = str(value).replace('"', "'")
    return f'"{text}"' if any(c in text for c in ":;,") else text


def _fold(line):
    # Most lines are short; long ones are folded exactly as icalendar folds them.
    return line if len(line.encode()) < 75 else _foldline(line)


def _utc(value):
    return value.astimezone(dt_timezone.utc).strftime("%Y%m%dT%H%M%SZ")


class _UrlMaker:
    """Event URLs without a reverse() per event: one per language, then string formatting."""

    def __init__(self):
        self.prefixes = {}

    def __call__(self, event):
        language = event.language if event.language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        if language not in self.prefixes:
            with translation.override(language):
                probe = reverse("events:detail", kwargs={"uid": _PROBE_UID})
            self.prefixes[language] = settings.SITE_URL.rstrip("/") + probe.replace(str(_PROBE_UID), "{}")
        return self.prefixes[language].format(event.uid)


_PROBE_UID = uuid.UUID(int=0)


def serialise_vevent(event, *, topic_names=None, status=None, url_maker=None, domain=None, join_link=False):
    """The same VEVENT as build_vevent(...).to_ical(), written directly: icalendar's component
    machinery costs about 1 ms per event, which a feed of thousands cannot afford cold. The tests
    check that both agree property by property."""
    from .models import Event

    tz = event.tzinfo
    domain = domain or site_domain()
    url = (url_maker or _UrlMaker())(event)
    language = f";LANGUAGE={event.content_language}" if event.content_language else ""
    lines = [
        "BEGIN:VEVENT",
        f"SUMMARY{language}:{_text(event.title)}",
        f"DTSTART;TZID={event.timezone}:{event.start.astimezone(tz):%Y%m%dT%H%M%S}",
        f"DTEND;TZID={event.timezone}:{event.end.astimezone(tz):%Y%m%dT%H%M%S}",
        f"DTSTAMP:{_utc(event.updated_at)}",
        f"UID:{event.uid}@{domain}",
        f"SEQUENCE:{event.sequence}",
    ]
    topics = _topic_names(event, topic_names or {})
    if topics:
        lines.append("CATEGORIES:" + ",".join(_text(topic) for topic in topics))
    lines.append(f"CREATED:{_utc(event.created_at)}")
    description = "\n\n".join(filter(None, [event.summary, plain_text(event.description), url]))
    lines.append(f"DESCRIPTION{language}:{_text(description)}")
    if event.latitude is not None and event.longitude is not None:
        lines.append(f"GEO:{float(event.latitude)};{float(event.longitude)}")
    lines.append(f"LAST-MODIFIED:{_utc(event.updated_at)}")
    place = location(event, join_link=join_link)
    if place:
        lines.append(f"LOCATION:{_text(place)}")
    lines.append(f"ORGANIZER;CN={_param(event.organisation.name)}:mailto:noreply@{domain}")
    lines.append("STATUS:" + (status or ("CANCELLED" if event.status == Event.Status.CANCELLED else "CONFIRMED")))
    lines.append(f"URL:{url}")
    lines.append("END:VEVENT")
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode()


def _vevent_key(event, language, status, topic_names):
    # What the VEVENT shows from other rows: the organisation's name and the topics' names as
    # shown (a renamed topic changes them without touching the event).
    topics = "\x1f".join(_topic_names(event, topic_names))
    extra = hashlib.sha1(f"{event.organisation.name}|{topics}|{status}".encode()).hexdigest()[:12]
    return f"eyos:vevent:{CACHE_VERSION}:{language}:{event.pk}:{event.updated_at.timestamp()}:{event.sequence}:{extra}"


def rendered_vevents(events, *, language, topic_names, statuses=None, join_links=False):
    """Each event's VEVENT as bytes, from the cache where the event has not changed."""
    statuses = statuses or {}
    if join_links:  # registrants' files: never cached next to the public ones
        url_maker = _UrlMaker()
        return [serialise_vevent(event, topic_names=topic_names, status=statuses.get(event.pk), url_maker=url_maker,
                                 join_link=True) for event in events]
    keys = {event.pk: _vevent_key(event, language, statuses.get(event.pk), topic_names or {}) for event in events}
    cached = cache.get_many(list(keys.values()))
    fresh, chunks = {}, []
    url_maker, domain = _UrlMaker(), site_domain()
    for event in events:
        key = keys[event.pk]
        chunk = cached.get(key)
        if chunk is None:
            chunk = serialise_vevent(event, topic_names=topic_names, status=statuses.get(event.pk),
                                     url_maker=url_maker, domain=domain)
            fresh[key] = chunk
        chunks.append(chunk)
    if fresh:
        cache.set_many(fresh, VEVENT_TTL)
    return chunks


def _vtimezone(tzid):
    """The VTIMEZONE block for one zone, built by icalendar once and then cached."""
    key = f"eyos:vtimezone:{CACHE_VERSION}:{tzid}"
    block = cache.get(key)
    if block is None:
        import zoneinfo
        from datetime import datetime

        calendar = Calendar()
        probe = VEvent()
        probe.add("dtstart", datetime(2026, 1, 1, tzinfo=zoneinfo.ZoneInfo(tzid)))
        calendar.add_component(probe)
        calendar.add_missing_timezones()
        block = b"".join(component.to_ical() for component in calendar.subcomponents if component.name == "VTIMEZONE")
        if not block:
            # icalendar adds none for zones it takes for UTC (Atlantic/Reykjavik), but every TZID
            # needs its VTIMEZONE (RFC 5545 3.2.19).
            block = Timezone.from_tzinfo(zoneinfo.ZoneInfo(tzid), tzid).to_ical()
        cache.set(key, block, None)
    return block


def calendar_header(*, name, description, refresh=timedelta(hours=1)):
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("name", name)
        calendar.add("x-wr-calname", name)
    if description:
        calendar.add("description", description)
        calendar.add("x-wr-caldesc", description)
    if refresh:
        calendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(refresh))
    body = calendar.to_ical()
    return body[: body.rindex(b"END:VCALENDAR")]


def render_calendar(events, *, name="", description="", language=None, topic_names=None, statuses=None,
                    refresh=timedelta(hours=1), join_links=False):
    """A whole calendar: header, one VTIMEZONE per zone used, the events (cached VEVENTs)."""
    events = list(events)
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    parts = [calendar_header(name=name, description=description, refresh=refresh)]
    parts += [_vtimezone(zone) for zone in sorted({event.timezone for event in events})]
    parts += rendered_vevents(events, language=language, topic_names=topic_names or {}, statuses=statuses,
                              join_links=join_links)
    parts.append(b"END:VCALENDAR\r\n")
    return b"".join(parts)


def build_calendar(events, *, name=None, description=None):
    """The same content as an icalendar object (for callers that want to add to it)."""
    return Calendar.from_ical(render_calendar(events, name=name or "", description=description or "", refresh=None))


def ics_filename(event):
    return f"{event.slug[:60] or 'event'}.ics"


def content_disposition(filename, disposition="inline"):
    """RFC 6266: an ASCII `filename` every client understands, plus `filename*` with the real
    (UTF-8) name for those that can show it: `inline; filename="ergastirio.ics";
    filename*=UTF-8''%CE%B5%CF%81…`. A header value that is pure ASCII is never MIME-encoded."""
    from urllib.parse import quote

    from anyascii import anyascii

    fallback = re.sub(r"[^A-Za-z0-9._-]+", "-", anyascii(filename)).strip("-.") or "calendar.ics"
    if not fallback.endswith(".ics") and filename.endswith(".ics"):
        fallback += ".ics"
    if fallback == filename:
        return f'{disposition}; filename="{filename}"'
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def ics_attachment(event, *, join_link=False):
    """(filename, content, mimetype) of the event's file for an email attachment."""
    return ics_filename(event), event_ics(event, join_link=join_link), "text/calendar; charset=utf-8; method=PUBLISH"


def event_ics(event, *, join_link=False):
    """The single-event file. Attached to registrants' emails, it carries the link to join."""
    return render_calendar([event], name=event.title, refresh=None, join_links=join_link)
