"""Places on the map: parsing coordinates and bounding boxes, the distance of events from a point
(great-circle, computed by the database) and the grid the map's clusters are counted on.

Everything the database computes here is written with functions SQLite and PostgreSQL both have
(SIN, COS, ASIN, SQRT, RADIANS, ROUND, CAST, integer division), and the grid in integer
micro-degrees, so both give the same clusters to the event."""

import math
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import BigIntegerField, F, FloatField, Q, Value
from django.db.models.functions import ASin, Cast, Cos, Least, Radians, Round, Sin, Sqrt

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180  # along a meridian, ≈ 111.195 km
MAX_WITHIN_KM = 1000
DEFAULT_WITHIN_KM = 25
MICRO = 1_000_000  # coordinates are stored with 6 decimals: micro-degrees are exact integers
MAX_ZOOM = 20
# A cell of the grid at zoom Z is 2**(GRID_SHIFT - Z) micro-degrees wide and high: about 0.37 of a
# 256-pixel map tile (95 px at the equator), so clusters do not crowd each other at any zoom.
GRID_SHIFT = 27


class CoordinateError(ValueError):
    """A coordinate, bounding box or zoom that is not one: the caller answers 400."""


MAX_TEXT = 100  # no coordinate, box or zoom needs more characters


def parse_number(text, *, low, high, what):
    """A finite number between `low` and `high` from text a visitor sent."""
    text = (text or "").strip()
    if not text or len(text) > MAX_TEXT:
        raise CoordinateError(f"{what}: expected a number")
    try:
        value = float(text)
    except ValueError:
        raise CoordinateError(f"{what}: expected a number") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise CoordinateError(f"{what}: expected a number between {low:g} and {high:g}")
    return value


def parse_point(text):
    """"lat,lon" → (lat, lon), rounded to the 6 decimals events are stored with."""
    parts = (text or "").split(",")
    if len(text or "") > MAX_TEXT or len(parts) != 2:
        raise CoordinateError("expected latitude,longitude")
    lat = parse_number(parts[0], low=-90, high=90, what="latitude")
    lon = parse_number(parts[1], low=-180, high=180, what="longitude")
    return round(lat, 6), round(lon, 6)


def format_number(value):
    """12.5 → "12.5", 3.0 → "3", without exponents (for shareable query strings)."""
    return f"{value:.6f}".rstrip("0").rstrip(".")


# --- distance --------------------------------------------------------------------------------

def distance_km(lat, lon):
    """The great-circle distance (haversine) in km between each event and (lat, lon), as a
    database expression."""
    phi = math.radians(lat)
    half_dlat = (Radians(F("latitude")) - Value(phi)) / Value(2.0)
    half_dlon = (Radians(F("longitude")) - Value(math.radians(lon))) / Value(2.0)
    a = (Sin(half_dlat) * Sin(half_dlat)
         + Value(math.cos(phi)) * Cos(Radians(F("latitude"))) * Sin(half_dlon) * Sin(half_dlon))
    # Rounding can lift a just above 1 for points nearly opposite: ASIN would fail on PostgreSQL.
    return Value(2 * EARTH_RADIUS_KM) * ASin(Least(Sqrt(a), Value(1.0), output_field=FloatField()))


def near_box(lat, lon, km):
    """A Q on latitude/longitude holding every point within `km` of (lat, lon): the cheap
    prefilter (it can use the index) before the exact distance."""
    margin = km / KM_PER_DEGREE * 1.001
    south, north = max(-90.0, lat - margin), min(90.0, lat + margin)
    q = Q(latitude__gte=_decimal(south), latitude__lte=_decimal(north))
    farthest = max(abs(south), abs(north))
    if farthest >= 89.9:
        return q  # the box reaches a pole: every longitude
    spread = margin / math.cos(math.radians(farthest))
    if spread >= 180:
        return q
    west, east = lon - spread, lon + spread
    if west < -180:  # across the antimeridian: two ranges
        return q & (Q(longitude__gte=_decimal(west + 360)) | Q(longitude__lte=_decimal(east)))
    if east > 180:
        return q & (Q(longitude__gte=_decimal(west)) | Q(longitude__lte=_decimal(east - 360)))
    return q & Q(longitude__gte=_decimal(west), longitude__lte=_decimal(east))


def _decimal(value):
    return Decimal(f"{value:.6f}")


def within(events, lat, lon, km):
    """`events` within `km` of (lat, lon); `distance` (km) is an alias, for ordering or
    annotating (it is not selected, so grouped counts stay grouped by what they name)."""
    return (events.filter(near_box(lat, lon, km)).alias(distance=distance_km(lat, lon))
            .filter(distance__lte=km))


# --- the map's grid --------------------------------------------------------------------------

@dataclass(frozen=True)
class BoundingBox:
    """west, south, east, north in degrees. west > east is a box across the antimeridian
    (170,-20,-170,20 covers Fiji); longitudes are within -180..180, latitudes within -90..90, and
    south is not above north."""

    west: float
    south: float
    east: float
    north: float

    @classmethod
    def parse(cls, text):
        parts = (text or "").split(",")
        if not text or len(text) > 4 * MAX_TEXT or len(parts) != 4:
            raise CoordinateError("bbox: expected west,south,east,north")
        west = parse_number(parts[0], low=-180, high=180, what="bbox west")
        south = parse_number(parts[1], low=-90, high=90, what="bbox south")
        east = parse_number(parts[2], low=-180, high=180, what="bbox east")
        north = parse_number(parts[3], low=-90, high=90, what="bbox north")
        if south > north:
            raise CoordinateError("bbox: south must not be above north")
        return cls(west, south, east, north)

    @property
    def crosses_antimeridian(self):
        return self.west > self.east


def parse_zoom(text):
    text = (text or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 2 or int(text) > MAX_ZOOM:
        raise CoordinateError(f"zoom: expected a whole number from 0 to {MAX_ZOOM}")
    return int(text)


def _micro(degrees):
    return round(degrees * MICRO)


LON_OFFSET, LAT_OFFSET = 180 * MICRO, 90 * MICRO  # grid indexes count from -180°, -90°


@dataclass(frozen=True)
class Grid:
    """The cells (2**shift micro-degrees square) covering a bounding box, snapped outwards to
    whole cells: boxes that touch the same cells give the same clusters (and cache entry)."""

    shift: int
    columns: tuple  # ((first, last), …): one range, or two across the antimeridian
    rows: tuple  # (first, last)

    @classmethod
    def covering(cls, box, shift):
        def index(micro, offset):
            return (micro + offset) >> shift

        last_column = (360 * MICRO) >> shift  # the column of +180°
        west, east = index(_micro(box.west), LON_OFFSET), index(_micro(box.east), LON_OFFSET)
        if box.crosses_antimeridian:
            columns = ((west, last_column), (0, east)) if west > east else ((0, last_column),)
        else:
            columns = ((west, east),)
        rows = (index(_micro(box.south), LAT_OFFSET), index(_micro(box.north), LAT_OFFSET))
        return cls(shift, columns, rows)

    @property
    def size(self):
        return sum(last - first + 1 for first, last in self.columns) * (self.rows[1] - self.rows[0] + 1)

    def q(self):
        """The events inside these cells (on the stored decimals, so the index can serve it)."""
        def edge(index, offset):
            return Decimal((index << self.shift) - offset) / MICRO

        q = Q(latitude__gte=edge(self.rows[0], LAT_OFFSET), latitude__lt=edge(self.rows[1] + 1, LAT_OFFSET))
        columns = Q()
        for first, last in self.columns:
            columns |= Q(longitude__gte=edge(first, LON_OFFSET), longitude__lt=edge(last + 1, LON_OFFSET))
        return q & columns

    @staticmethod
    def micro(field):
        """A coordinate as integer micro-degrees, in SQL."""
        return Cast(Round(F(field) * Value(MICRO)), BigIntegerField())

    def cell_expressions(self):
        """Each event's column and row, in SQL: integer division of non-negative integers, which
        floors alike on both databases."""
        size = Value(1 << self.shift)
        return {
            "cell_x": (self.micro("longitude") + Value(LON_OFFSET)) / size,
            "cell_y": (self.micro("latitude") + Value(LAT_OFFSET)) / size,
        }


def shift_for(zoom, box, max_cells):
    """The grid's shift for a zoom, made coarser until the box holds at most `max_cells` cells (a
    box of the whole world at zoom 20 would otherwise be trillions of cells)."""
    shift = GRID_SHIFT - zoom
    while Grid.covering(box, shift).size > max_cells:
        shift += 1
    return shift
