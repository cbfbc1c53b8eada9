"""Which time zone a country usually keeps, from tzdata's own zone.tab (its first zone per
country: Europe/Madrid for Spain, Europe/Lisbon for Portugal)."""

from functools import cache
from importlib import resources


@cache
def country_timezones():
    """ISO country code → its first IANA zone."""
    text = resources.files("tzdata").joinpath("zoneinfo/zone.tab").read_text(encoding="utf-8")
    zones = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, _coords, zone, *_rest = line.split("\t")
            zones.setdefault(code, zone)
    return zones


def country_timezone(code):
    return country_timezones().get(str(code or "").upper())
