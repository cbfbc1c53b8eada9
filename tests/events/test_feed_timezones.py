"""Every TZID a feed uses has its VTIMEZONE (RFC 5545 3.2.19), for the zone of every participating
country, and the fast VEVENT writer agrees with icalendar's byte for byte on the times; .ics
downloads name their file the RFC 6266 way."""

import pytest
from django.conf import settings
from icalendar import Calendar

from events import feeds
from events.models import Event
from events.zones import country_timezone
from tests import factories

pytestmark = pytest.mark.django_db

ZONES = sorted({country_timezone(code) for code in settings.EYOS_COUNTRIES} | {"Atlantic/Reykjavik", "Atlantic/Canary"})


def test_every_participating_country_has_a_zone():
    assert None not in ZONES and "Atlantic/Reykjavik" in ZONES


def time_lines(ical):
    return [line for line in ical.split(b"\r\n") if line.startswith((b"DTSTART", b"DTEND"))]


@pytest.mark.parametrize("zone", ZONES)
def test_each_tzid_has_its_vtimezone_and_both_writers_agree(zone):
    org = factories.organisation("IS")
    event = factories.published_event(org, timezone=zone, title=f"Workshop in {zone}")
    event = Event.objects.select_related("organisation").get(pk=event.pk)

    fast = feeds.serialise_vevent(event)
    reference = feeds.build_vevent(event).to_ical()
    assert time_lines(fast) == time_lines(reference)
    assert all(f";TZID={zone}:".encode() in line for line in time_lines(fast))

    calendar = Calendar.from_ical(feeds.render_calendar([event]))
    tzids = {vtimezone["TZID"] for vtimezone in calendar.walk("VTIMEZONE")}
    used = {vevent["DTSTART"].params["TZID"] for vevent in calendar.walk("VEVENT")}
    assert used <= tzids, f"TZID without VTIMEZONE: {used - tzids}"
    (vevent,) = calendar.walk("VEVENT")
    assert vevent.decoded("DTSTART") == event.start  # the same instant, read back through the VTIMEZONE


@pytest.mark.parametrize(("title", "expected"), [
    ("Atelier CV", 'inline; filename="'),
    ("Εργαστήριο ψηφιακών δεξιοτήτων", "inline; filename=\"ergastirio-psifiakon-dexiotiton"),
    ("Семинар за умения", 'inline; filename="seminar-za-umeniya'),
])
def test_ics_downloads_name_their_file_in_ascii_and_utf8(client, title, expected):
    from django.utils.text import slugify

    event = factories.published_event(factories.organisation("GR"), title=title)
    Event.objects.filter(pk=event.pk).update(slug=slugify(title, allow_unicode=True))
    event.refresh_from_db()
    header = client.get(f"/feeds/events/{event.uid}.ics")["Content-Disposition"]
    assert header.startswith(expected), header
    assert "=?utf-8?" not in header  # never MIME-encoded as a whole
    header.encode("ascii")
    if not event.slug.isascii():
        from urllib.parse import quote

        assert header.endswith(f"filename*=UTF-8''{quote(event.slug + '.ics', safe='')}")
