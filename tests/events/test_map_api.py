"""The map's API (/api/map/events): clusters counted by the database on a grid that depends on the
zoom, single events with what a popup needs, every list filter, hostile boxes and zooms answered
400, a fixed number of queries, a size bound whatever the number of events, and a cache that a
write empties. The events live in the South Atlantic, where the demo data has none; the expected
clusters are written out, so the same test passing on SQLite and PostgreSQL shows both databases
give the same answer."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from events import selectors
from events.models import Event, Topic
from tests import factories

pytestmark = pytest.mark.django_db

SEA = "-30,-40,-10,-20"  # west,south,east,north around the events below


@pytest.fixture
def sea(db):
    org = factories.organisation("PT", name="Atlantic Skills")
    green = Topic.objects.get(slug="green-skills", locale__language_code="en")

    def at(lat, lon, **fields):
        return factories.published_event(org, latitude=Decimal(lat), longitude=Decimal(lon), **fields)

    events = {
        "alpha": at("-30.000000", "-20.000000", title="Alpha workshop", city="Alpha Bay", timezone="Atlantic/Azores"),
        "bravo": at("-30.600000", "-20.600000", title="Bravo fair", days=12),
        "charlie": at("-25.500000", "-15.250000", title="Charlie day", step_free_access=True),
        "delta": at("-35.123456", "-25.654321", title="Delta hackathon", format="hybrid",
                    online_url="https://meet.example.org/d", language="pt", target_audience="students",
                    captions=True, sign_language=True),
        # Not on the map: online without a place, a draft, a past event.
        "online": factories.published_event(org, format="online", online_url="https://meet.example.org/o"),
        "draft": factories.event(org, latitude=Decimal("-30"), longitude=Decimal("-20")),
        "past": at("-30.000000", "-20.000000", title="Past fair", days=-20),
    }
    events["delta"].topics.add(green)
    from wagtail.search import index

    for event in events.values():
        index.insert_or_update_object(event)
    return events


def get(client, **params):
    return client.get("/api/map/events", params)


def geojson(client, **params):
    response = get(client, **params)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    assert data["total"] == sum(f["properties"]["count"] if f["properties"]["cluster"] else 1
                                for f in data["features"])
    return data


def shapes(data):
    """Features without what differs between runs (uids, start times)."""
    out = []
    for feature in data["features"]:
        props = feature["properties"]
        if props["cluster"]:
            out.append(("cluster", feature["geometry"]["coordinates"], props["count"], props["bbox"]))
        else:
            out.append(("event", feature["geometry"]["coordinates"], props["title"]))
    return out


def test_clusters_are_the_grids_cells_and_split_as_the_zoom_grows(client, sea):
    # Zoom 3: cells of 2**24 micro-degrees (16.8°): the four events share one.
    assert shapes(geojson(client, bbox=SEA, zoom=3)) == [
        ("cluster", [-20.37608, -30.305864], 4, [-25.654321, -35.123456, -15.25, -25.5]),
    ]
    # Zoom 6: cells of 2.1°: Alpha and Bravo stay together, the others stand alone.
    assert shapes(geojson(client, bbox=SEA, zoom=6)) == [
        ("event", [-25.654321, -35.123456], "Delta hackathon"),
        ("cluster", [-20.3, -30.3], 2, [-20.6, -30.6, -20.0, -30.0]),
        ("event", [-15.25, -25.5], "Charlie day"),
    ]
    # Zoom 14 on the two neighbours (88 km apart): two events.
    assert shapes(geojson(client, bbox="-20.7,-30.7,-19.9,-29.9", zoom=14)) == [
        ("event", [-20.6, -30.6], "Bravo fair"),
        ("event", [-20.0, -30.0], "Alpha workshop"),
    ]
    # Cells nest (each is four of the next zoom's), so features only multiply as the zoom grows.
    # (From zoom 2: at 0 and 1 the box, widened to whole cells, reaches the demo's events.)
    counts = [len(geojson(client, bbox=SEA, zoom=zoom)["features"]) for zoom in range(2, 9)]
    assert counts == sorted(counts) and counts[0] == 1 and counts[-1] == 4


def test_an_event_feature_has_what_the_popup_needs(client, sea):
    data = geojson(client, bbox="-20.1,-30.1,-19.9,-29.9", zoom=14, lang="fr")
    alpha = next(f for f in data["features"] if f["properties"].get("title") == "Alpha workshop")
    uid = str(sea["alpha"].uid)
    assert alpha == {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-20.0, -30.0]},
                     "properties": {"cluster": False, "uid": uid, "title": "Alpha workshop",
                                    "start": sea["alpha"].start.astimezone(sea["alpha"].tzinfo).isoformat(),
                                    "city": "Alpha Bay", "url": f"/fr/events/{uid}/"}}
    assert alpha["properties"]["start"].endswith(("-01:00", "+00:00"))  # the Azores: an offset, local time
    # Without ?lang=, the request's language; English by default.
    english = geojson(client, bbox="-20.1,-30.1,-19.9,-29.9", zoom=14)
    assert {f["properties"]["url"][:4] for f in english["features"]} == {"/en/"}
    german = client.get("/api/map/events", {"bbox": "-20.1,-30.1,-19.9,-29.9", "zoom": 14},
                        HTTP_ACCEPT_LANGUAGE="de")
    assert {f["properties"]["url"][:4] for f in json.loads(german.content)["features"]} == {"/de/"}


def test_every_list_filter_applies(client, sea):
    def titles(**params):
        data = geojson(client, bbox=SEA, zoom=14, **params)
        assert all(not f["properties"]["cluster"] for f in data["features"])
        return sorted(f["properties"]["title"] for f in data["features"])

    everything = ["Alpha workshop", "Bravo fair", "Charlie day", "Delta hackathon"]
    assert titles() == everything
    assert titles(country="PT") == everything and titles(country="FR") == []
    assert titles(format="hybrid") == ["Delta hackathon"]
    assert titles(language="pt") == ["Delta hackathon"]
    assert titles(topic="green-skills") == ["Delta hackathon"]
    assert titles(q="hackathon") == ["Delta hackathon"]
    assert titles(past=1) == ["Past fair"]
    soon = (timezone.now() + timedelta(days=11)).date().isoformat()
    assert titles(to=soon) == ["Alpha workshop", "Charlie day", "Delta hackathon"]
    assert titles(near="-30,-20", within=100) == ["Alpha workshop", "Bravo fair"]
    assert titles(near="-30,-20", within=1) == ["Alpha workshop"]
    assert titles(step_free_access=1) == ["Charlie day"]
    assert titles(captions=1, sign_language=1) == ["Delta hackathon"]
    assert titles(audience=["students", "workers"]) == ["Delta hackathon"]


def test_a_box_across_the_antimeridian(client, db):
    org = factories.organisation("NO")
    for lon in ("179.500000", "-179.500000", "175.000000"):
        factories.published_event(org, latitude=Decimal("-17.5"), longitude=Decimal(lon), title=f"Fiji {lon}")
    titles = lambda bbox, zoom: sorted(  # noqa: E731
        f["properties"]["title"] for f in geojson(client, bbox=bbox, zoom=zoom)["features"])
    assert titles("178,-20,-178,-15", 10) == ["Fiji -179.500000", "Fiji 179.500000"]
    assert titles("170,-20,-170,-15", 10) == ["Fiji -179.500000", "Fiji 175.000000", "Fiji 179.500000"]
    assert titles("170,-20,178,-15", 10) == ["Fiji 175.000000"]
    assert geojson(client, bbox="-180,-90,180,90", zoom=0)["total"] >= 3


@pytest.mark.parametrize("params", [
    {}, {"zoom": 3}, {"bbox": SEA}, {"bbox": "", "zoom": 3}, {"bbox": "a,b,c,d", "zoom": 3},
    {"bbox": "1,2,3", "zoom": 3}, {"bbox": "1,2,3,4,5", "zoom": 3}, {"bbox": "nan,0,1,1", "zoom": 3},
    {"bbox": "0,0,inf,1", "zoom": 3}, {"bbox": "-inf,0,1,1", "zoom": 3}, {"bbox": "1e309,0,1,1", "zoom": 3},
    {"bbox": "-181,0,0,1", "zoom": 3}, {"bbox": "0,0,181,1", "zoom": 3}, {"bbox": "0,-91,1,0", "zoom": 3},
    {"bbox": "0,0,1,90.0001", "zoom": 3}, {"bbox": "0,10,1,5", "zoom": 3}, {"bbox": "9" * 5000 + ",0,1,1", "zoom": 3},
    {"bbox": ",".join(["1" * 90] * 4), "zoom": 3}, {"bbox": "0x10,0,1,1", "zoom": 3}, {"bbox": "1,,2,3", "zoom": 3},
    {"bbox": "\x00,0,1,1", "zoom": 3}, {"bbox": "0, 0, 1, 1; DROP TABLE events_event", "zoom": 3},
    {"bbox": SEA, "zoom": ""}, {"bbox": SEA, "zoom": "-1"}, {"bbox": SEA, "zoom": "21"}, {"bbox": SEA, "zoom": "1.5"},
    {"bbox": SEA, "zoom": "abc"}, {"bbox": SEA, "zoom": "٣"}, {"bbox": SEA, "zoom": "9" * 1000},
    {"bbox": SEA, "zoom": "1e1"}, {"bbox": SEA, "zoom": "+3"},
    {"bbox": SEA, "zoom": 3, "lang": "xx"}, {"bbox": SEA, "zoom": 3, "near": "91,0"},
    {"bbox": SEA, "zoom": 3, "near": "nan,nan"}, {"bbox": SEA, "zoom": 3, "near": "1,2,3"},
    {"bbox": SEA, "zoom": 3, "near": "0,0", "within": "0"}, {"bbox": SEA, "zoom": 3, "near": "0,0", "within": "inf"},
    {"bbox": SEA, "zoom": 3, "near": "0,0", "within": "1e309"}, {"bbox": SEA, "zoom": 3, "near": "0,0", "within": "-5"},
    {"bbox": SEA, "zoom": 3, "near": "0,0", "within": "5000"}, {"bbox": SEA, "zoom": 3, "country": "XX"},
    {"bbox": SEA, "zoom": 3, "audience": "aliens"}, {"bbox": SEA, "zoom": 3, "from": "2026-02-30"},
])
def test_bad_boxes_zooms_and_filters_are_a_400_with_a_reason(client, params):
    response = get(client, **params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["error"]


def test_hostile_boxes_that_are_valid_stay_bounded(client, sea):
    for bbox in ("-180,-90,180,90", "180,-90,-180,90", "0,0,0,0", "-180,90,180,90", "179.999999,-90,-179.999999,90",
                 "-0.0000001,-0.0000001,0.0000001,0.0000001", "١,٢,٣,٤"):
        for zoom in (0, 20):
            response = get(client, bbox=bbox, zoom=zoom)
            assert response.status_code == 200, (bbox, zoom)
            assert len(response.content) <= 200_000


def test_a_fixed_number_of_queries_then_none_until_a_write(client, sea, django_assert_num_queries):
    # Topic choices (for the filter form), the grouped count, the single events' details.
    with django_assert_num_queries(3):
        first = geojson(client, bbox=SEA, zoom=6)
    with django_assert_num_queries(0):
        assert geojson(client, bbox=SEA, zoom=6) == first
    # Only clusters (no single event to describe): as many queries.
    with django_assert_num_queries(2):  # topic choices are cached now
        assert all(f["properties"]["cluster"] for f in geojson(client, bbox=SEA, zoom=3)["features"])
    # The same cells (a box snapped to the same grid): the same entry.
    with django_assert_num_queries(0):
        assert geojson(client, bbox="-29.9,-39.9,-10.1,-20.1", zoom=6) == first
    org = sea["alpha"].organisation
    Event.objects.bulk_create([
        Event(organisation=org, title=f"Bulk {n}", slug=f"bulk-{n}", summary="x", country="PT",
              status=Event.Status.PUBLISHED, start=sea["alpha"].start, end=sea["alpha"].end, city="Sea",
              latitude=Decimal(f"{-21 - n / 100:.6f}"), longitude=Decimal(f"{-11 - n / 100:.6f}"))
        for n in range(300)
    ])
    from events.cache import events_changed

    events_changed()  # bulk_create sends no signal
    with django_assert_num_queries(2):  # as many, with 300 more events (the topics' names are kept)
        many = geojson(client, bbox=SEA, zoom=6)
    assert many["total"] == first["total"] + 300
    with django_assert_num_queries(2):
        assert geojson(client, bbox=SEA, zoom=14)["total"] == first["total"] + 300


def test_free_text_adds_the_search_queries_only(client, sea, django_assert_num_queries):
    # Two more than without q: the full-text search, and the organisers' translations (cross-language).
    with django_assert_num_queries(5):
        geojson(client, bbox=SEA, zoom=14, q="fair")


def test_a_change_shows_at_once(client, sea):
    before = geojson(client, bbox=SEA, zoom=6)
    charlie = sea["charlie"]
    charlie.latitude, charlie.longitude = Decimal("-30.001"), Decimal("-20.001")
    charlie.save()
    after = geojson(client, bbox=SEA, zoom=6)
    assert after != before
    assert ("cluster", [-20.200333, -30.200333], 3, [-20.6, -30.6, -20.0, -30.0]) in shapes(after)
    sea["delta"].status = Event.Status.CANCELLED
    sea["delta"].save()
    assert geojson(client, bbox=SEA, zoom=6)["total"] == 3


@pytest.mark.parametrize("bbox,zoom", [
    ("-180,-90,180,90", 0), ("-180,-90,180,90", 20), ("10,40,11,41", 20), ("10,40,11,41", 12), ("9,39,12,42", 8),
])
def test_the_answer_stays_under_200_kb_with_many_events(client, db, bbox, zoom):
    """6,000 events on distinct points of one degree square, titles and cities as long and as
    far from ASCII as the fields allow: the answer keeps clustering instead of growing."""
    org = factories.organisation("IT")
    start = timezone.now() + timedelta(days=3)
    title, city = "Ωραίο εργαστήριο 𝕏 " * 20, "Città" * 24
    Event.objects.bulk_create([
        Event(organisation=org, title=title[:200], slug=f"many-{n}", summary="x", country="IT",
              status=Event.Status.PUBLISHED, start=start, end=start + timedelta(hours=1), city=city[:120],
              latitude=Decimal(f"{40 + (n % 80) / 80 + n / 10**7:.6f}"),
              longitude=Decimal(f"{10 + (n // 80) / 80:.6f}"))
        for n in range(6000)
    ], batch_size=1000)
    response = get(client, bbox=bbox, zoom=zoom)
    assert response.status_code == 200
    assert len(response.content) <= 200_000
    data = json.loads(response.content)
    counted = sum(f["properties"]["count"] if f["properties"]["cluster"] else 1 for f in data["features"])
    assert counted == data["total"] >= 6000
    assert sum(not f["properties"]["cluster"] for f in data["features"]) <= selectors.MAP_MAX_EVENTS


def test_signed_in_visitors_get_the_same_answer_and_languages_are_kept_apart(client, sea, users):
    anonymous = geojson(client, bbox=SEA, zoom=6)
    client.force_login(users["citizen"])
    assert geojson(client, bbox=SEA, zoom=6) == anonymous
    french = geojson(client, bbox=SEA, zoom=6, lang="fr")
    assert {f["properties"]["url"][:4] for f in french["features"] if not f["properties"]["cluster"]} == {"/fr/"}
    response = get(client, bbox=SEA, zoom=6)
    assert "public" in response["Cache-Control"] and "max-age=60" in response["Cache-Control"]


def test_the_demos_events_on_site_are_in_their_cities(db):
    from events.demo import CITY_COORDINATES

    demo = Event.objects.filter(organisation__slug__startswith="skills-network-").exclude(format="online")
    assert demo.exists() and not demo.filter(latitude__isnull=True).exists()
    for event in demo.only("country", "city", "latitude", "longitude"):
        lat, lon = CITY_COORDINATES[(event.country.code, event.city)]
        assert abs(float(event.latitude) - lat) < 0.2 and abs(float(event.longitude) - lon) < 0.2, event.city
    assert not Event.objects.filter(organisation__slug__startswith="skills-network-", format="online",
                                    latitude__isnull=False).exists()
