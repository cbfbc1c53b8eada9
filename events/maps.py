"""The map: which pages show one, what their Content-Security-Policy allows, and what the map's
script is told (data- attributes, no inline script).

The map is a progressive enhancement of the event list. With no tile server configured
(EYOS_MAP_TILES_URL empty) no page shows a map and no page's policy names a tile server; with one,
only the pages that show a map allow its origin in img-src."""

from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings

from eyos.headers import PERMISSIONS_POLICY

# The clustering API (DESIGN.md, public interface): GeoJSON for a bounding box and zoom.
MAP_API_PATH = "/api/map/events"

# Leaflet's tile URL templates may spread requests over subdomains: {s}.tiles.example.org.
_SUBDOMAIN = "{s}"


def map_enabled():
    """A tile server is configured: on another origin, or on this one (a path such as /tiles/…)."""
    url = settings.EYOS_MAP_TILES_URL.strip()
    return bool(tiles_origin()) or (url.startswith("/") and not url.startswith("//"))


def tiles_origin():
    """The origin of the configured tile server, as a CSP source ('' when none or not http(s))."""
    url = settings.EYOS_MAP_TILES_URL.strip()
    parts = urlsplit(url.replace(_SUBDOMAIN, "subdomain-placeholder"))
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return ""
    host = parts.netloc.rsplit("@", 1)[-1].replace("subdomain-placeholder", "*")
    return f"{parts.scheme}://{host}"


def map_csp(base=None):
    """The site's policy (or `base`, e.g. the admin's) with the tile server allowed for images."""
    policy = dict(settings.SECURE_CSP if base is None else base)
    if tiles_origin():
        policy["img-src"] = [*policy.get("img-src", ()), tiles_origin()]
    return policy


# Where the visitor may be asked for their position (on click of "Use my location", never before).
GEOLOCATION_POLICY = PERMISSIONS_POLICY.replace("geolocation=()", "geolocation=(self)")


def shows_map(geolocation=False, admin=False):
    """For views whose pages show a map: their HTML pages allow the tile server's origin (and, with
    `geolocation`, the browser's geolocation for this origin, map or not). Outside the page cache's
    decorator, so a page served from the cache gets the same headers."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            return allow_map(view(request, *args, **kwargs), geolocation=geolocation, admin=admin)

        return wrapper

    return decorator


def allow_map(response, *, geolocation=False, admin=False):
    """The headers of a page that shows a map (see `shows_map`); `admin`: a page of the Wagtail
    admin, whose own policy (EYOS_ADMIN_CSP) gets the tile server."""
    if not response.get("Content-Type", "").startswith("text/html"):
        return response
    if map_enabled():
        response._csp_config = map_csp(settings.EYOS_ADMIN_CSP if admin else None)
    if geolocation:  # "Use my location" works with or without the map
        response["Permissions-Policy"] = GEOLOCATION_POLICY
    return response


def map_attributes(**extra):
    """What a map's element tells the script, for templates/events/_map.html."""
    return {
        "tiles": settings.EYOS_MAP_TILES_URL,
        "attribution": settings.EYOS_MAP_TILES_ATTRIBUTION,
        "api": MAP_API_PATH,
        **extra,
    }


# Bounding boxes [west, south, east, north] of the participating countries' mainland territory
# (rounded outwards), for the national pages' maps. Overseas departments and far islands are left
# out so the map opens on the country people picture.
COUNTRY_BBOXES = {
    "AL": (19.2, 39.6, 21.1, 42.7), "AT": (9.5, 46.3, 17.2, 49.1), "BA": (15.7, 42.5, 19.7, 45.3),
    "BE": (2.5, 49.5, 6.5, 51.6), "BG": (22.3, 41.2, 28.7, 44.3), "CH": (5.9, 45.8, 10.5, 47.9),
    "CY": (32.2, 34.5, 34.7, 35.8), "CZ": (12.0, 48.5, 18.9, 51.1), "DE": (5.8, 47.2, 15.1, 55.1),
    "DK": (8.0, 54.5, 15.3, 57.8), "EE": (21.7, 57.5, 28.3, 59.8), "ES": (-9.4, 35.9, 4.4, 43.8),
    "FI": (20.5, 59.7, 31.6, 70.1), "FR": (-5.2, 41.3, 9.6, 51.1), "GE": (40.0, 41.0, 46.8, 43.6),
    "GR": (19.3, 34.8, 29.7, 41.8), "HR": (13.4, 42.3, 19.5, 46.6), "HU": (16.1, 45.7, 22.9, 48.6),
    "IE": (-10.7, 51.4, -5.9, 55.4), "IS": (-24.6, 63.3, -13.4, 66.6), "IT": (6.6, 36.6, 18.6, 47.1),
    "LI": (9.4, 47.0, 9.7, 47.3), "LT": (20.9, 53.9, 26.9, 56.5), "LU": (5.7, 49.4, 6.6, 50.2),
    "LV": (20.9, 55.6, 28.3, 58.1), "MD": (26.6, 45.4, 30.2, 48.5), "ME": (18.4, 41.8, 20.4, 43.6),
    "MK": (20.4, 40.8, 23.1, 42.4), "MT": (14.1, 35.8, 14.6, 36.1), "NL": (3.3, 50.7, 7.3, 53.6),
    "NO": (4.5, 57.9, 31.2, 71.2), "PL": (14.1, 49.0, 24.2, 54.9), "PT": (-9.6, 36.9, -6.1, 42.2),
    "RO": (20.2, 43.6, 29.8, 48.3), "RS": (18.8, 42.2, 23.1, 46.2), "SE": (11.0, 55.3, 24.2, 69.1),
    "SI": (13.3, 45.4, 16.7, 46.9), "SK": (16.8, 47.7, 22.6, 49.7), "TR": (25.6, 35.8, 44.9, 42.2),
    "UA": (22.1, 44.3, 40.3, 52.4), "XK": (20.0, 41.8, 21.8, 43.3),
}
EUROPE_BBOX = (-11.0, 34.0, 45.0, 71.5)


def country_bbox(code):
    return COUNTRY_BBOXES.get(str(code).upper(), EUROPE_BBOX)
