"""The map in a real browser: 10,000 events, clusters that split as one zooms in, a popup that
leads to the event, at desktop and mobile widths; axe clean and no CSP violation, with the tiles
served by a stub on another origin (there is no internet here, and a second origin checks that the
policy allows the tile server on map pages)."""

import base64
import random
import threading
from datetime import timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from events import cache
from events.models import Event, Organisation
from tests.browser.test_journeys import axe_violations, csp_violations

pytestmark = pytest.mark.browser

# A 1x1 grey PNG.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGO4BwAA7gDtuA+W0QAAAABJRU5ErkJggg==")
TARGET = "Map target event in Reykjavik"
REYKJAVIK = (64.146600, -21.942600)


class TileStub(BaseHTTPRequestHandler):
    requests = 0

    def log_message(self, *args):
        pass

    def do_GET(self):
        TileStub.requests += 1
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(PNG)))
        self.end_headers()
        self.wfile.write(PNG)


@pytest.fixture
def tiles(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), TileStub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.EYOS_MAP_TILES_URL = f"http://127.0.0.1:{server.server_address[1]}/{{z}}/{{x}}/{{y}}.png"
    settings.EYOS_MAP_TILES_ATTRIBUTION = "Test tiles"
    TileStub.requests = 0
    yield server
    server.shutdown()
    server.server_close()


def seed_map_events(n=10_000):
    """n published events spread over mainland Europe (seeded, so every run is the same), and one
    far from all others in Reykjavik."""
    rng = random.Random(15)
    organisation = Organisation.objects.filter(country="FR").first()
    start = timezone.now().replace(microsecond=0) + timedelta(days=30)
    areas = [(-5.0, 41.5, 9.5, 51.0, "FR"), (6.0, 47.5, 15.0, 54.5, "DE"), (-9.0, 36.5, 3.0, 43.5, "ES"),
             (26.0, 36.5, 44.0, 41.5, "TR"), (14.5, 49.5, 24.0, 54.5, "PL")]
    events = []
    for i in range(n):
        west, south, east, north, country = areas[i % len(areas)]
        events.append(Event(
            title=f"Seeded map event {i}", slug=f"seeded-map-event-{i}", summary="Seeded for the map test.",
            country=country, organisation=organisation, status=Event.Status.PUBLISHED, format="onsite",
            address="Main street 1", city=f"Town {i % 300}", start=start + timedelta(hours=i % 500),
            end=start + timedelta(hours=i % 500 + 2),
            latitude=Decimal(f"{rng.uniform(south, north):.6f}"), longitude=Decimal(f"{rng.uniform(west, east):.6f}"),
        ))
    events.append(Event(
        title=TARGET, slug="map-target", summary="The one to find.", country="IS", organisation=organisation,
        status=Event.Status.PUBLISHED, format="onsite", address="Laugavegur 1", city="Reykjavík",
        start=start, end=start + timedelta(hours=2), latitude=Decimal(f"{REYKJAVIK[0]:.6f}"),
        longitude=Decimal(f"{REYKJAVIK[1]:.6f}"),
    ))
    Event.objects.bulk_create(events, batch_size=2000)
    cache.bump_data_version()  # bulk_create sends no signal
    return Event.objects.get(title=TARGET)


def wait_for_map(page, after=None):
    """Until the map has drawn an answer of the API newer than `after`."""
    page.wait_for_function(
        """after => { const s = document.querySelector('[data-event-map]');
                      return s && !s.hidden && s.dataset.loaded && !s.dataset.loading
                             && (after === null || Number(s.dataset.loaded) > after); }""", arg=after)
    return page.evaluate("Number(document.querySelector('[data-event-map]').dataset.loaded)")


def cluster_counts(page):
    return page.evaluate("""() => Array.from(document.querySelectorAll('.map-cluster [aria-hidden]'))
                                       .map(el => Number(el.textContent.replace(/\\D/g, '')))""")


def explore(page, target, width):
    page.goto("/en/events/")
    loaded = wait_for_map(page)
    assert page.locator("[data-event-map]").is_visible()
    counts = cluster_counts(page)
    assert counts and max(counts) > 100, counts  # 10,000 events in a few numbered circles
    assert page.locator(".leaflet-tile-loaded").count() > 0  # tiles from the stub, allowed by the CSP
    assert axe_violations(page) == [], f"{width}px: list with its map"

    # A click on the biggest cluster zooms into its box: it splits into smaller ones and events.
    zoom = page.evaluate("document.querySelector('[data-event-map]').eventMap.getZoom()")
    biggest = max(counts)
    page.locator(".map-cluster").nth(counts.index(biggest)).click()
    loaded = wait_for_map(page, loaded)
    assert page.evaluate("document.querySelector('[data-event-map]').eventMap.getZoom()") > zoom
    after = cluster_counts(page)
    assert after and max(after) < biggest, (biggest, after)

    # Panning by dragging fetches the events of the new box.
    box = page.locator("[data-map-canvas]").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - box["width"] / 3, y - box["height"] / 4, steps=8)
    page.mouse.up()
    loaded = wait_for_map(page, loaded)

    # Far away and zoomed in: the single event, its popup, and the link to its page.
    page.evaluate("([lat, lon]) => document.querySelector('[data-event-map]').eventMap.setView([lat, lon], 12)",
                  list(REYKJAVIK))
    wait_for_map(page, loaded)
    page.locator(f'.map-event[title="{TARGET}"]').click()
    link = page.locator(".leaflet-popup-content a")
    link.wait_for()
    assert link.inner_text() == TARGET
    assert link.get_attribute("href").endswith(f"/en/events/{target.uid}/")
    assert "Reykjavík" in page.locator(".leaflet-popup-content").inner_text()
    assert axe_violations(page) == [], f"{width}px: map with a popup"
    assert csp_violations(page) == []
    with page.expect_navigation():
        link.click()
    assert page.get_by_role("heading", name=TARGET).is_visible()


def test_map_with_10000_events_on_desktop_and_mobile(page, browser, live_server, tiles, settings):
    target = seed_map_events()
    page.set_viewport_size({"width": 1366, "height": 900})
    explore(page, target, 1366)
    # Keyboard users skip the map: its skip link leads to the list.
    page.goto("/en/events/")
    wait_for_map(page)
    page.focus("a.skip-map")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "event-results"
    # Clusters are buttons for the keyboard too: Enter zooms in.
    loaded = page.evaluate("Number(document.querySelector('[data-event-map]').dataset.loaded)")
    zoom = page.evaluate("document.querySelector('[data-event-map]').eventMap.getZoom()")
    page.focus(".map-cluster")
    page.keyboard.press("Enter")
    wait_for_map(page, loaded)
    assert page.evaluate("document.querySelector('[data-event-map]').eventMap.getZoom()") > zoom

    mobile = browser.new_context(base_url=live_server.url, locale="en-GB", viewport={"width": 390, "height": 844},
                                 is_mobile=True, has_touch=True)
    phone = mobile.new_page()
    phone.set_default_timeout(15000)
    phone.console_errors = []
    phone.on("console", lambda message: message.type == "error" and phone.console_errors.append(message.text))
    try:
        explore(phone, target, 390)
    finally:
        mobile.close()
    assert TileStub.requests > 0
    without_javascript_or_tiles_the_list_works_alone(page, browser, live_server, settings)


# Each browser test costs a fresh seed of the demo data: related checks share one test.
def without_javascript_or_tiles_the_list_works_alone(page, browser, live_server, settings):
    settings.EYOS_MAP_TILES_URL = ""
    page.goto("/en/events/?format=hybrid")  # a page not in the page cache (a deploy changes the setting)
    assert page.locator("[data-event-map]").count() == 0
    assert page.locator(".event-card").count() > 0

    settings.EYOS_MAP_TILES_URL = "http://127.0.0.1:9/{z}/{x}/{y}.png"
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        no_js = context.new_page()
        no_js.goto("/en/events/?format=onsite")
        assert no_js.locator("[data-event-map]").count() == 1
        assert not no_js.locator("[data-event-map]").is_visible()  # hidden without the script
        assert no_js.locator(".event-card").count() > 0
        assert no_js.get_by_role("button", name="Use my location").count() == 0  # hidden too
    finally:
        context.close()
