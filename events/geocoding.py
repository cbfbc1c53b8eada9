"""Addresses to coordinates through a self-hostable geocoder (EYOS_GEOCODER_URL): Nominatim's
/search or Photon's /api. Called by the task worker only (events.tasks.geocode_event), never while
a request waits: a slow or broken geocoder costs a flag on the event, not a page.

Every answer is distrusted: it must come within the timeout, stay under the size limit, be JSON
of the expected shape and give a point on the Earth."""

import json
import urllib.error
import urllib.request
from urllib.parse import urlencode, urlsplit

from django.conf import settings

from eyos.http import FetchError, read_bounded


class GeocodingError(Exception):
    """The geocoder did not give a usable point (unreachable, slow, an error, garbage, nothing)."""


def address_query(event):
    """The text the geocoder is asked for, or "" when the event has no place to find."""
    parts = [event.address, event.postcode, event.city]
    return ", ".join(" ".join(str(part).split()) for part in parts if part and str(part).strip())


def _is_photon(url):
    return urlsplit(url).path.rstrip("/").endswith("/api")


def request_url(query, country=""):
    base = settings.EYOS_GEOCODER_URL.strip()
    if _is_photon(base):
        params = {"q": query, "limit": 1}
    else:
        params = {"q": query, "format": "jsonv2", "limit": 1}
        if country:
            params["countrycodes"] = country.lower()
    return base + ("&" if "?" in base else "?") + urlencode(params)


def _point(lat, lon):
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        raise GeocodingError("coordinates are not numbers")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise GeocodingError("coordinates out of range")
    return round(lat, 6), round(lon, 6)


def parse(data):
    """The first point of a Nominatim (a list of places) or Photon (GeoJSON) answer."""
    if isinstance(data, list):
        if not data or not isinstance(data[0], dict):
            raise GeocodingError("no place found")
        return _point(data[0].get("lat"), data[0].get("lon"))
    if isinstance(data, dict) and isinstance(data.get("features"), list):
        features = data["features"]
        if not features:
            raise GeocodingError("no place found")
        try:
            lon, lat = features[0]["geometry"]["coordinates"][:2]
        except (KeyError, TypeError, ValueError, IndexError):
            raise GeocodingError("unexpected GeoJSON")
        return _point(lat, lon)
    raise GeocodingError("unexpected answer")


def geocode(query, country=""):
    """(latitude, longitude) for an address, or GeocodingError."""
    if not settings.EYOS_GEOCODER_URL.strip():
        raise GeocodingError("no geocoder configured")
    request = urllib.request.Request(request_url(query, country), headers={
        # Nominatim's usage policy asks every client to say who it is.
        "User-Agent": f"EYOS event platform ({settings.SITE_URL})",
        "Accept": "application/json",
    })
    try:
        body = read_bounded(request, limit=settings.EYOS_GEOCODER_MAX_BYTES, timeout=settings.EYOS_GEOCODER_TIMEOUT)
    except FetchError as error:
        raise GeocodingError(str(error))
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise GeocodingError("not JSON")
    return parse(data)
