"""A real HTTP server for feeds, on 127.0.0.2 (a loopback address the tests let through with
EYOS_PARTNER_FEED_ALLOWED_NETWORKS; 127.0.0.1 and every other local address stay refused)."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import translation
from wagtail.models import Locale

from events.models import Topic
from partnerfeeds.models import PartnerFeed
from tests import factories

HOST = "127.0.0.2"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.server.requests.append((self.path, dict(self.headers)))
        route = self.server.routes.get(self.path.split("?", 1)[0])
        if route is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        route(self)

    def reply(self, body, *, status=200, content_type="text/calendar; charset=utf-8", headers=None):
        body = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location, status=302):
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def trickle(self, chunks, pause, content_type="text/calendar"):
        """No Content-Length: a body sent bit by bit, then the connection closes."""
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Connection", "close")
        self.end_headers()
        try:
            for chunk in chunks:
                self.wfile.write(chunk)
                self.wfile.flush()
                time.sleep(pause)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True


class FeedServer:
    def __init__(self):
        self.httpd = ThreadingHTTPServer((HOST, 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.routes = {}
        self.httpd.requests = []
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def routes(self):
        return self.httpd.routes

    @property
    def requests(self):
        return self.httpd.requests

    def url(self, path):
        return f"http://{HOST}:{self.httpd.server_port}{path}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English, whatever language an earlier test left active."""
    with translation.override("en"):
        yield


@pytest.fixture
def feed_server(settings):
    settings.EYOS_PARTNER_FEED_ALLOWED_NETWORKS = [f"{HOST}/32"]
    server = FeedServer()
    yield server
    server.close()


@pytest.fixture
def topics(db):
    locale = Locale.get_default()
    return {slug: Topic.objects.get_or_create(slug=slug, locale=locale, defaults={"name": slug.title()})[0]
            for slug in ("digital-skills", "green-skills")}


@pytest.fixture
def fr(db):
    coordinator = factories.coordinator("FR")
    organisation = factories.organisation("FR", name="Plateforme nationale")
    return coordinator, organisation


def make_feed(coordinator, organisation, url, **fields):
    values = {"name": "Plateforme nationale", "country": organisation.country.code, "language": "fr",
              "trust": PartnerFeed.Trust.REVIEW}
    values.update(fields)
    return PartnerFeed.objects.create(url=url, organisation=organisation, owner=coordinator, **values)
