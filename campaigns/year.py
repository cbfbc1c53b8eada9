"""What the home page says of the Year, from its dates (settings.EYOS_YEAR, "2026-05-09/2027-05-08"),
never a year written into the content: before it, during it, after it."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class YearStatus:
    phase: str  # "before", "during" or "after"
    start: date
    end: date
    text: str


def year_dates():
    """(first day, last day) of the Year, or None when the setting does not give them."""
    configured = getattr(settings, "EYOS_YEAR", "") or ""
    try:
        first, last = (date.fromisoformat(part.strip()) for part in configured.split("/"))
    except ValueError:
        return None
    return (first, last) if first <= last else None


def year_status(now=None):
    """The sentence about the Year for today in the site's time zone, or None without its dates."""
    dates = year_dates()
    if dates is None:
        return None
    start, end = dates
    today = timezone.localdate(now or timezone.now())
    first, last = formats.date_format(start, "DATE_FORMAT"), formats.date_format(end, "DATE_FORMAT")
    if today < start:
        phase = "before"
        text = _("The European Year of Skills starts on %(start)s and runs until %(end)s.") % {
            "start": first, "end": last}
    elif today <= end:
        phase = "during"
        if start.year == end.year:
            text = _("%(year)s is the European Year of Skills.") % {"year": start.year}
        else:
            text = _("The European Year of Skills runs from %(start)s to %(end)s.") % {"start": first, "end": last}
    else:
        phase = "after"
        text = _("The European Year of Skills ran from %(start)s to %(end)s.") % {"start": first, "end": last}
    return YearStatus(phase=phase, start=start, end=end, text=text)
