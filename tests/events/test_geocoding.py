"""Geocoding of events' addresses: by a task after the save (never in the request), against a
fake geocoder on this machine. Whatever the geocoder does (answers, times out, sends garbage,
fails), the event stays saved; a failure flags it for its coordinators."""

import json
import threading
import time
from datetime import timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from events import geocoding, services
from events.models import Event
from tests import factories

pytestmark = pytest.mark.django_db

NOMINATIM = [{"lat": "45.764043", "lon": "4.835659", "display_name": "Lyon"}]
PHOTON = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [2.352222, 48.856614]}, "properties": {}}]}


class FakeGeocoder(BaseHTTPRequestHandler):
    behaviour = "nominatim"
    requests = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        FakeGeocoder.requests.append((self.path, self.headers.get("User-Agent")))
        kind = FakeGeocoder.behaviour
        if kind == "slow":
            time.sleep(2)
        if kind == "500":
            self.send_response(500)
            self.end_headers()
            self.wfile.write(b"Internal error")
            return
        body = {
            "nominatim": json.dumps(NOMINATIM).encode(),
            "photon": json.dumps(PHOTON).encode(),
            "slow": json.dumps(NOMINATIM).encode(),
            "garbage": b"<html>\x00\xff not json",
            "empty": b"[]",
            "out_of_range": json.dumps([{"lat": "123", "lon": "4"}]).encode(),
            "huge": b"[" + b" " * (400 * 1024) + b"]",
            "wrong_shape": json.dumps({"error": "Unable to geocode"}).encode(),
        }[kind]
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


@pytest.fixture
def geocoder(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeGeocoder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeGeocoder.requests = []
    FakeGeocoder.behaviour = "nominatim"
    settings.EYOS_GEOCODER_URL = f"http://127.0.0.1:{server.server_address[1]}/search"
    settings.EYOS_GEOCODER_TIMEOUT = 0.5
    yield FakeGeocoder
    server.shutdown()
    server.server_close()


@pytest.fixture
def coordinator():
    return factories.coordinator("FR")


def event_data(**extra):
    start = timezone.now().replace(microsecond=0) + timedelta(days=20)
    data = {"title": "Welding for beginners", "summary": "Learn to weld.", "language": "fr", "format": "onsite",
            "venue": "Atelier", "address": "20 place Bellecour", "city": "Lyon", "postcode": "69002",
            "start": start, "end": start + timedelta(hours=2), "timezone": "Europe/Paris"}
    data.update(extra)
    return data


def create(django_capture_on_commit_callbacks, coordinator, geocoder=None, **extra):
    organisation = factories.organisation("FR")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        event = services.event_create(user=coordinator, organisation=organisation, data=event_data(**extra))
    if geocoder is not None:
        assert geocoder.requests == []  # nothing asked while the request would wait
    for callback in callbacks:  # what the worker does after the commit
        callback()
    event.refresh_from_db()
    return event


def test_found_address_fills_the_pin_after_the_save(django_capture_on_commit_callbacks, coordinator, geocoder):
    event = create(django_capture_on_commit_callbacks, coordinator, geocoder)
    assert (float(event.latitude), float(event.longitude)) == (45.764043, 4.835659)
    assert not event.geocode_failed
    path, agent = geocoder.requests[0]
    assert "q=20+place+Bellecour%2C+69002%2C+Lyon" in path and "countrycodes=fr" in path
    assert agent.startswith("EYOS")


def test_photon_answers_are_read_too(django_capture_on_commit_callbacks, coordinator, geocoder, settings):
    settings.EYOS_GEOCODER_URL = settings.EYOS_GEOCODER_URL.replace("/search", "/api")
    geocoder.behaviour = "photon"
    event = create(django_capture_on_commit_callbacks, coordinator, geocoder)
    assert (float(event.latitude), float(event.longitude)) == (48.856614, 2.352222)
    assert "format=" not in geocoder.requests[0][0]


@pytest.mark.parametrize("behaviour", ["slow", "500", "garbage", "empty", "out_of_range", "huge", "wrong_shape"])
def test_a_failing_geocoder_keeps_the_event_and_flags_it(django_capture_on_commit_callbacks, coordinator, geocoder,
                                                        behaviour):
    geocoder.behaviour = behaviour
    started = time.monotonic()
    event = create(django_capture_on_commit_callbacks, coordinator, geocoder)
    assert time.monotonic() - started < 1.9  # the timeout, not the server's 2 s
    assert event.pk and event.status == Event.Status.PUBLISHED
    assert event.latitude is None and event.longitude is None
    assert event.geocode_failed


def test_an_unreachable_geocoder_flags_the_event(django_capture_on_commit_callbacks, coordinator, settings):
    settings.EYOS_GEOCODER_URL = "http://127.0.0.1:9/search"  # discard port: nobody listens
    event = create(django_capture_on_commit_callbacks, coordinator)
    assert event.geocode_failed and event.latitude is None


def test_a_pin_placed_by_hand_is_not_geocoded(django_capture_on_commit_callbacks, coordinator, geocoder):
    event = create(django_capture_on_commit_callbacks, coordinator, geocoder, latitude=Decimal("45.75"), longitude=Decimal("4.85"))
    assert geocoder.requests == []
    assert float(event.latitude) == 45.75 and not event.geocode_failed


def test_online_events_and_no_geocoder_mean_no_request(django_capture_on_commit_callbacks, coordinator, geocoder,
                                                       settings):
    create(django_capture_on_commit_callbacks, coordinator, geocoder, format="online",
           online_url="https://meet.example.org/x", address="", city="", postcode="")
    settings.EYOS_GEOCODER_URL = ""
    event = create(django_capture_on_commit_callbacks, coordinator, geocoder)
    assert geocoder.requests == []
    assert event.latitude is None and not event.geocode_failed  # pin only: nothing failed


def test_a_new_address_is_geocoded_again_and_a_placed_pin_clears_the_flag(django_capture_on_commit_callbacks,
                                                                          coordinator, geocoder):
    geocoder.behaviour = "500"
    event = create(django_capture_on_commit_callbacks, coordinator, geocoder)
    assert event.geocode_failed
    # The coordinator places the pin: the flag goes.
    with django_capture_on_commit_callbacks(execute=True):
        services.event_update(user=coordinator, event=event, data={"latitude": Decimal("45.7"), "longitude": Decimal("4.8")})
    event.refresh_from_db()
    assert not event.geocode_failed and float(event.latitude) == 45.7
    # A new address without a new pin: the old pin went with the old address.
    geocoder.behaviour = "nominatim"
    with django_capture_on_commit_callbacks(execute=True):
        services.event_update(user=coordinator, event=event, data={"address": "1 quai Claude Bernard"})
    event.refresh_from_db()
    assert (float(event.latitude), float(event.longitude)) == (45.764043, 4.835659)
    assert "quai+Claude+Bernard" in geocoder.requests[-1][0]


def test_an_answer_for_an_old_address_is_ignored(coordinator):
    event = factories.published_event(factories.organisation("FR"), address="New street 1", city="Lyon")
    assert services.event_geocoded(event_id=event.pk, query="Old street 1, Lyon", point=(1.0, 2.0)) is None
    event.refresh_from_db()
    assert event.latitude is None and not event.geocode_failed


@pytest.mark.parametrize("data", [[], {}, [1], [{"lat": "x", "lon": "1"}], {"features": [{"geometry": None}]},
                                  {"features": [{"geometry": {"coordinates": [1]}}]}, "text", None])
def test_parse_refuses_what_is_not_a_point(data):
    with pytest.raises(geocoding.GeocodingError):
        geocoding.parse(data)
