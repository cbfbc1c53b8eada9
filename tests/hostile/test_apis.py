"""Hostile input on the JSON APIs: the map's API (/api/map/events) answers hostile boxes, zooms and
places, and the read API (/api/v1/events) hostile cursors, moments and limits, with 200 or a 400
that says what is wrong - never a 500, and never more than a bounded answer."""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import event as observe
from hypothesis import strategies as st

from .helpers import fresh_example
from .strategies import DATES, HOSTILE_TEXT, NUMBERS, RELAXED, SHORT_TEXT

pytestmark = pytest.mark.django_db


# The map's API: hostile boxes, zooms and places, alone or beside valid ones.
COORDINATE = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-400, 400).map(str),
    st.sampled_from(["-180", "180", "-90", "90", "-0", "1e-300", "1e309", "NaN", "-inf", "0x1p3", "١٢", "1_0",
                     " 5 ", "5.", ".5", "+5", "--5", "", "\x00", "9" * 400]),
)
BOXES = st.one_of(
    st.lists(COORDINATE, min_size=0, max_size=6).map(",".join),
    st.tuples(st.floats(-180, 180), st.floats(-90, 90), st.floats(-180, 180), st.floats(-90, 90)).map(
        lambda box: ",".join(repr(value) for value in box)),
    HOSTILE_TEXT,
)
ZOOMS = st.one_of(st.integers(-5, 30).map(str), NUMBERS, HOSTILE_TEXT)
PLACES = st.one_of(st.lists(COORDINATE, min_size=0, max_size=3).map(",".join),
                   st.tuples(st.floats(-90, 90), st.floats(-180, 180)).map(lambda p: f"{p[0]!r},{p[1]!r}"),
                   HOSTILE_TEXT)


@RELAXED
@given(bbox=BOXES, zoom=ZOOMS, near=st.none() | PLACES, within=st.none() | NUMBERS | COORDINATE,
       extra=st.dictionaries(st.sampled_from(["audience", "captions", "country", "q", "lang", "format", "topic"]),
                             SHORT_TEXT, max_size=2))
def test_the_map_api_answers_hostile_boxes_zooms_and_places_with_200_or_400(client, bbox, zoom, near, within, extra):
    fresh_example()
    params = {"bbox": bbox, "zoom": zoom, **extra}
    if near is not None:
        params["near"] = near
    if within is not None:
        params["within"] = within
    response = client.get(reverse("map:events"), params)
    observe(f"status {response.status_code}")
    assert response.status_code in (200, 400), (params, response.status_code)
    assert len(response.content) <= 200_000
    import json

    body = json.loads(response.content)
    assert ("error" in body) == (response.status_code == 400)


# The read API (/api/v1/events): hostile cursors, moments and limits beside the list's filters.
CURSORS = st.one_of(
    HOSTILE_TEXT,
    st.binary(max_size=80).map(lambda raw: __import__("base64").urlsafe_b64encode(raw).decode().rstrip("=")),
    st.tuples(st.sampled_from(["start", "-start", "updated", "", "x" * 300]), DATES | HOSTILE_TEXT,
              NUMBERS.map(lambda n: n if n.lstrip("-").isdigit() and len(n) < 30 else 1) | st.integers()).map(
        lambda t: __import__("base64").urlsafe_b64encode(
            __import__("json").dumps(list(t)).encode()).decode().rstrip("=")),
)


@RELAXED
@given(cursor=st.none() | CURSORS, limit=st.none() | NUMBERS, since=st.none() | DATES | HOSTILE_TEXT,
       extra=st.dictionaries(st.sampled_from(["country", "topic", "from", "to", "past", "q", "format"]),
                             SHORT_TEXT | DATES, max_size=2))
def test_the_read_api_answers_hostile_cursors_moments_and_limits_with_200_or_400(client, cursor, limit, since, extra):
    import json

    fresh_example()
    params = {name: value for name, value in (("cursor", cursor), ("limit", limit), ("updated_since", since))
              if value is not None}
    response = client.get("/api/v1/events", {**params, **extra})
    observe(f"status {response.status_code}")
    assert response.status_code in (200, 400), (params, extra, response.status_code)
    body = json.loads(response.content)
    assert ("errors" in body) == (response.status_code == 400)
    if response.status_code == 200:
        assert len(body["results"]) <= 200


@pytest.mark.parametrize("query", [
    "cursor=%00", "cursor=W10", "cursor=WyJzdGFydCIsIjIwMjYtMDEtMDFUMDA6MDA6MDArMDA6MDAiLDBd",  # pk 0
    "cursor=WyJzdGFydCIsIjIwMjYtMDEtMDFUMDA6MDA6MDAiLDFd",  # no offset
    "limit=1e309", "limit=NaN", "limit=201", "limit=" + "9" * 5000, "updated_since=0001-01-01T00:00:00%2B14:00",
    "updated_since=9999-12-31T23:59", "updated_since=2026-02-30T10:00", "from=0001-01-01&to=9999-12-31",
])
def test_the_read_api_refuses_bad_cursors_dates_and_limits_with_a_400(client, query):
    response = client.get(f"/api/v1/events?{query}")
    assert response.status_code == 400, (query, response.status_code)
    assert response.json()["errors"]
