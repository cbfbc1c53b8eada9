"""iCalendar output (RFC 5545 / RFC 7986). One VEVENT per event, the same everywhere: feeds,
the single-event file and email attachments. The UID is `<event uid>@<site domain>`, and DTSTAMP /
LAST-MODIFIED come from the event's last change, so an unchanged event renders byte-identically."""

from urllib.parse import urlsplit

import nh3
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from icalendar import Calendar, Event as VEvent, vCalAddress, vText

PRODID = "-//European Year of Skills//EYOS//EN"


def site_domain():
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def event_uid(event):
    return f"{event.uid}@{site_domain()}"


def event_url(event):
    with translation.override(event.language if event.language in dict(settings.LANGUAGES) else "en"):
        return settings.SITE_URL.rstrip("/") + reverse("events:detail", kwargs={"uid": event.uid})


def plain_text(html):
    """Rich text as plain text: block ends become line breaks, tags go, entities are decoded."""
    import html as html_module
    import re

    text = re.sub(r"</(p|li|h[1-6])>|<br\s*/?>", "\n", html or "")
    text = nh3.clean(text, tags=set())
    return html_module.unescape(re.sub(r"\n{3,}", "\n\n", text)).strip()


def location(event):
    parts = [event.venue, event.address, " ".join(filter(None, [event.postcode, event.city])), event.country.name]
    place = ", ".join(str(part) for part in parts if part)
    if event.format == "online":
        return event.online_url
    return place


def build_vevent(event):
    from .models import Event

    vevent = VEvent()
    vevent.add("uid", event_uid(event))
    vevent.add("dtstamp", event.updated_at)
    vevent.add("last-modified", event.updated_at)
    vevent.add("created", event.created_at)
    vevent.add("sequence", event.sequence)
    vevent.add("summary", event.title)
    tz = event.tzinfo
    vevent.add("dtstart", event.start.astimezone(tz))
    vevent.add("dtend", event.end.astimezone(tz))
    vevent.add("status", "CANCELLED" if event.status == Event.Status.CANCELLED else "CONFIRMED")
    place = location(event)
    if place:
        vevent.add("location", place)
    if event.latitude is not None and event.longitude is not None:
        vevent.add("geo", (float(event.latitude), float(event.longitude)))
    url = event_url(event)
    vevent.add("url", url)
    description = "\n\n".join(filter(None, [event.summary, plain_text(event.description), url]))
    vevent.add("description", description)
    topics = [topic.name for topic in event.topics.all()]
    if topics:
        vevent.add("categories", topics)
    organizer = vCalAddress(f"mailto:noreply@{site_domain()}")
    organizer.params["cn"] = vText(event.organisation.name)
    vevent.add("organizer", organizer)
    return vevent


def build_calendar(events, *, name=None, description=None):
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("name", name)
        calendar.add("x-wr-calname", name)
    if description:
        calendar.add("x-wr-caldesc", description)
    for event in events:
        calendar.add_component(build_vevent(event))
    calendar.add_missing_timezones()
    return calendar


def event_ics(event):
    """The single-event file, also attached to confirmation and reminder emails."""
    return build_calendar([event], name=event.title).to_ical()
