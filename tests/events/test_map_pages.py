"""The map on the event list and the national pages: shown only with a tile server, whose origin
the Content-Security-Policy allows on those pages and nowhere else."""

import pytest
from django.core.cache import cache

from events import maps

TILES = "https://tiles.example.org/{z}/{x}/{y}.png"


def img_src(response):
    policy = response["Content-Security-Policy"]
    return next(part for part in policy.split(";") if part.strip().startswith("img-src")).split()[1:]


@pytest.fixture
def tiles(settings):
    settings.EYOS_MAP_TILES_URL = TILES
    settings.EYOS_MAP_TILES_ATTRIBUTION = '&copy; <a href="https://example.org/copyright">Example</a>'
    return settings


@pytest.mark.django_db
def test_no_tile_server_no_map_and_the_strict_policy(client, settings):
    settings.EYOS_MAP_TILES_URL = ""
    response = client.get("/en/events/")
    assert response.status_code == 200
    assert b"data-event-map" not in response.content
    assert img_src(response) == ["'self'", "data:"]
    assert "geolocation=(self)" in response["Permissions-Policy"]  # "Use my location" needs no map


@pytest.mark.django_db
def test_the_event_list_shows_the_map_and_allows_its_tiles(client, tiles):
    for _ in range(2):  # rendered, then from the page cache: the same headers
        response = client.get("/en/events/?country=FR")
        assert response.status_code == 200
        html = response.content.decode()
        assert 'data-event-map="list"' in html
        assert f'data-tiles="{TILES}"' in html
        assert 'data-api="/api/map/events"' in html
        assert 'data-bbox="-5.2,41.3,9.6,51.1"' in html  # one country chosen: its map
        assert " hidden " in html.split('data-event-map="list"')[0].rsplit("<section", 1)[1] + " "
        assert 'href="#event-results"' in html  # the skip link past the map
        assert "<script>" not in html  # no inline script: data- attributes only
        assert img_src(response) == ["'self'", "data:", "https://tiles.example.org"]
        assert "geolocation=(self)" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_pages_without_a_map_keep_the_strict_policy(client, tiles):
    for path in ("/en/", "/en/events/subscribe/", "/en/accounts/login/"):
        response = client.get(path, follow=True)
        assert "tiles.example.org" not in response["Content-Security-Policy"], path
        assert "geolocation=()" in response["Permissions-Policy"], path
    assert "tiles.example.org" not in client.get("/healthz")["Content-Security-Policy"]


@pytest.mark.django_db
def test_an_invalid_filter_shows_no_map(client, tiles):
    response = client.get("/en/events/?from=nonsense")
    assert response.status_code == 400
    assert b"data-event-map" not in response.content


@pytest.mark.parametrize("url, origin", [
    ("https://tiles.example.org/{z}/{x}/{y}.png", "https://tiles.example.org"),
    ("https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"),
    ("http://127.0.0.1:8081/tiles/{z}/{x}/{y}.png", "http://127.0.0.1:8081"),
    ("", ""),
    ("javascript:alert(1)", ""),
    ("//elsewhere.example.org/{z}/{x}/{y}.png", ""),
])
def test_tiles_origin(settings, url, origin):
    settings.EYOS_MAP_TILES_URL = url
    assert maps.tiles_origin() == origin
    assert maps.map_enabled() is bool(origin)


def test_tiles_on_this_origin_need_no_change_of_policy(settings):
    settings.EYOS_MAP_TILES_URL = "/tiles/{z}/{x}/{y}.png"
    assert maps.map_enabled() and maps.tiles_origin() == ""
    assert maps.map_csp()["img-src"] == settings.SECURE_CSP["img-src"]


@pytest.mark.django_db
def test_national_pages_show_their_countrys_map(client, tiles):
    response = client.get("/en/countries/de/")
    html = response.content.decode()
    assert 'data-event-map="list"' in html
    assert 'data-bbox="5.8,47.2,15.1,55.1"' in html and 'data-query="country=DE"' in html
    assert "Map of the events in Germany" in html
    assert 'href="#country-events"' in html
    assert img_src(response)[-1] == "https://tiles.example.org"
    tiles.EYOS_MAP_TILES_URL = ""
    cache.clear()  # settings change with a restart; the page cache's copies live a minute at most
    response = client.get("/en/countries/de/")
    assert b"data-event-map" not in response.content
    assert "tiles.example.org" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_event_forms_have_a_pin_map_and_coordinate_inputs(client, tiles):
    from events.models import Event
    from tests import factories

    member = factories.user()
    factories.organisation("FR", members=[member])
    client.force_login(member)
    response = client.get("/en/organise/events/new/")
    html = response.content.decode()
    assert 'data-event-map="pick"' in html
    assert 'data-lat-input="#id_latitude"' in html
    assert 'type="number" name="latitude"' in html and 'type="number" name="longitude"' in html
    assert img_src(response)[-1] == "https://tiles.example.org"

    coordinator = factories.coordinator("FR")
    event = factories.published_event(factories.organisation("FR"), latitude="45.764043", longitude="4.835659")
    Event.objects.filter(pk=event.pk).update(geocode_failed=True)
    client.force_login(coordinator)
    for path in (f"/admin/coordinators/events/{event.uid}/", f"/admin/coordinators/events/{event.uid}/edit/"):
        response = client.get(path)
        assert response.status_code == 200, path
        policy = response["Content-Security-Policy"]
        assert "https://tiles.example.org" in policy and "'unsafe-inline'" in policy, path  # the admin's own policy
    html = client.get(f"/admin/coordinators/events/{event.uid}/").content.decode()
    assert 'data-event-map="show"' in html and 'data-lat="45.764043" data-lon="4.835659"' in html
    assert "could not be found on the map" in html


@pytest.mark.django_db
def test_a_typed_place_becomes_the_near_filter(client, django_assert_max_num_queries):
    from tests import factories

    organisation = factories.organisation("FR")
    factories.published_event(organisation, city="Testville-sur-Mer", latitude="45.760000", longitude="4.830000")
    factories.published_event(organisation, city="TESTVILLE-SUR-MER", latitude="45.770000", longitude="4.840000")
    factories.event(organisation, city="Testbrest", latitude="48.39", longitude="-4.49")  # a draft: not public
    with django_assert_max_num_queries(3):  # the place; sessions and messages take none when found
        response = client.get("/en/events/near/?place=+testville-sur-mer+&country=FR&topic=x&page=4&near=1,1")
    assert response.status_code == 302
    assert response["Location"] == "/en/events/?country=FR&topic=x&near=45.765%2C4.835&within=25"
    response = client.get("/en/events/near/?place=Testville-sur-Mer&within=5")
    assert response["Location"] == "/en/events/?within=5&near=45.765%2C4.835"

    response = client.get("/en/events/near/?place=Testbrest&format=online", follow=True)
    assert response.redirect_chain[0][0] == "/en/events/?format=online"
    assert "No events are known in “Testbrest”" in response.content.decode()
    assert client.get("/en/events/near/")["Location"] == "/en/events/"


@pytest.mark.django_db
def test_the_list_offers_my_location_and_a_place(client):
    html = client.get("/en/events/").content.decode()
    assert 'data-locate="#id_near"' in html and " hidden " in html.split("data-locate")[0].rsplit("<button", 1)[1]
    assert 'formaction="/en/events/near/"' in html and 'name="place"' in html
