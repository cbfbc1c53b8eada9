"""Fetching a feed from a hostile or broken server: local and private addresses refused (also
behind redirects), size, time and redirect limits, conditional GET."""

import time

import pytest

from partnerfeeds import fetch

from .conftest import FeedServer

ICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nEND:VCALENDAR\r\n"


@pytest.fixture
def secret_server():
    """A server on 127.0.0.1 (where a real host keeps its admin ports): it must never be asked."""
    from .conftest import Handler  # noqa: F401 (same handler, another address)
    from http.server import ThreadingHTTPServer
    import threading

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.routes = {"/secret": lambda handler: handler.reply("BEGIN:VCALENDAR\r\nX-SECRET:1\r\nEND:VCALENDAR\r\n")}
    httpd.requests = []
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_a_feed_is_read_with_its_validators_and_a_304_when_unchanged(feed_server):
    def feed(handler):
        if handler.headers.get("If-None-Match") == '"v1"':
            handler.send_response(304)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        handler.reply(ICS, headers={"ETag": '"v1"', "Last-Modified": "Sat, 05 Dec 2026 10:00:00 GMT"})

    feed_server.routes["/feed.ics"] = feed
    answer = fetch.fetch(feed_server.url("/feed.ics"))
    assert (answer.status, answer.body.decode(), answer.etag) == (200, ICS, '"v1"')
    assert answer.last_modified == "Sat, 05 Dec 2026 10:00:00 GMT"
    again = fetch.fetch(feed_server.url("/feed.ics"), etag=answer.etag, last_modified=answer.last_modified)
    assert again.status == 304 and again.body == b""
    headers = feed_server.requests[-1][1]
    assert headers["If-None-Match"] == '"v1"' and headers["If-Modified-Since"] == answer.last_modified


@pytest.mark.parametrize("url", [
    "file:///etc/passwd", "ftp://example.org/feed.ics", "gopher://example.org/", "http://user:pw@example.org/x",
    "http:///nohost", "http://example.org:99999/",
])
def test_addresses_that_are_not_plain_http_are_refused(url):
    with pytest.raises(fetch.FetchRefused):
        fetch.fetch(url)


@pytest.mark.parametrize("host", [
    "127.0.0.1", "localhost", "[::1]", "169.254.169.254", "10.0.0.1", "192.168.1.1", "172.16.0.1", "0.0.0.0",
    "[::ffff:127.0.0.1]", "[fe80::1]", "224.0.0.1", "100.64.0.1",
])
def test_local_and_private_addresses_are_refused_before_connecting(feed_server, host):
    with pytest.raises(fetch.FetchRefused, match="private or local"):
        fetch.fetch(f"http://{host}:1/feed.ics")


@pytest.mark.parametrize("target", ["http://127.0.0.1:{port}/secret", "http://localhost:{port}/secret"])
def test_a_redirect_to_a_loopback_address_is_refused(feed_server, secret_server, target):
    location = target.format(port=secret_server.server_port)
    feed_server.routes["/feed.ics"] = lambda handler: handler.redirect(location)
    with pytest.raises(fetch.FetchRefused, match="private or local"):
        fetch.fetch(feed_server.url("/feed.ics"))
    assert secret_server.requests == []


def test_control_with_loopback_allowed_the_redirect_reaches_the_secret(feed_server, secret_server, settings):
    """Negative control: without the address check the same redirect reads the local server."""
    settings.EYOS_PARTNER_FEED_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    feed_server.routes["/feed.ics"] = lambda handler: handler.redirect(
        f"http://127.0.0.1:{secret_server.server_port}/secret")
    assert b"X-SECRET" in fetch.fetch(feed_server.url("/feed.ics")).body
    assert len(secret_server.requests) == 1


def test_redirects_are_followed_three_times_at_most(feed_server):
    for n in range(5):
        feed_server.routes[f"/r{n}"] = (lambda n: lambda handler: handler.redirect(f"/r{n + 1}", status=301))(n)
    feed_server.routes["/r5"] = lambda handler: handler.reply(ICS)
    feed_server.routes["/ok0"] = lambda handler: handler.redirect("/ok1", status=308)
    feed_server.routes["/ok1"] = lambda handler: handler.reply(ICS)
    assert fetch.fetch(feed_server.url("/ok0")).body.decode() == ICS
    with pytest.raises(fetch.FetchRefused, match="redirected more than 3 times"):
        fetch.fetch(feed_server.url("/r0"))


def test_a_huge_feed_is_refused_whether_or_not_it_says_its_size(feed_server):
    feed_server.routes["/declared"] = lambda handler: handler.reply(b"x" * 2048)
    feed_server.routes["/undeclared"] = lambda handler: handler.trickle([b"y" * 1024] * 8, pause=0)
    for path in ("/declared", "/undeclared"):
        with pytest.raises(fetch.FetchRefused, match="larger than"):
            fetch.fetch(feed_server.url(path), limit=1500)
    assert len(fetch.fetch(feed_server.url("/declared"), limit=4096).body) == 2048


def test_a_server_that_does_not_answer_or_trickles_is_given_up(feed_server, monkeypatch):
    monkeypatch.setattr(fetch, "CONNECT_TIMEOUT", 0.5)

    def silent(handler):
        time.sleep(3)
        handler.reply(ICS)

    feed_server.routes["/silent"] = silent
    feed_server.routes["/trickle"] = lambda handler: handler.trickle([b"BEGIN:VCALENDAR\r\n"] + [b"X" * 10] * 100,
                                                                      pause=0.1)
    started = time.monotonic()
    with pytest.raises(fetch.FetchRefused, match="could not be reached"):
        fetch.fetch(feed_server.url("/silent"))
    with pytest.raises(fetch.FetchRefused, match="took longer than"):
        fetch.fetch(feed_server.url("/trickle"), timeout=1.0)
    assert time.monotonic() - started < 3.5


@pytest.mark.parametrize("status", [404, 500, 403])
def test_error_statuses_are_reported(feed_server, status):
    feed_server.routes["/feed.ics"] = lambda handler: handler.reply("no", status=status)
    with pytest.raises(fetch.FetchRefused, match=str(status)):
        fetch.fetch(feed_server.url("/feed.ics"))


def test_another_server_of_the_same_test_is_independent():
    """FeedServer binds 127.0.0.2, which the default settings refuse like any loopback address."""
    server = FeedServer()
    try:
        server.routes["/feed.ics"] = lambda handler: handler.reply(ICS)
        with pytest.raises(fetch.FetchRefused, match="private or local"):
            fetch.fetch(server.url("/feed.ics"))
        assert server.requests == []
    finally:
        server.close()
