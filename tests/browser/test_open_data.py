"""In a real browser: the API's docs page works under the site's Content-Security-Policy (no CDN,
no inline script), and another site may frame the widget but no other page."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_api_docs_render_and_try_a_request_without_policy_violations(page):
    violations = []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))
    page.goto("/api/v1/docs")
    page.get_by_text("/api/v1/topics").first.wait_for()
    assert page.locator("h1").first.inner_text().startswith("Events API")
    topics = page.locator(".opblock", has=page.locator(".opblock-summary-path", has_text="/api/v1/topics"))
    topics.locator(".opblock-summary").click()
    topics.get_by_role("button", name="Try it out").click()
    topics.get_by_role("button", name="Execute").click()
    topics.locator(".live-responses-table .response-col_status").get_by_text("200").first.wait_for()
    assert violations == []
    assert not [error for error in page.console_errors if "Refused" in error or "blocked" in error]


@pytest.fixture
def partner_site(live_server):
    """Another site (another origin: 127.0.0.1 and its own port) whose page frames ours. A real
    local server: Chromium keeps pages of unknown address from framing local ones."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    html = (f'<!DOCTYPE html><title>Partner</title><iframe id="widget" src="{live_server.url}/embed/events/?lang=fr">'
            f'</iframe><iframe id="list" src="{live_server.url}/en/events/"></iframe>').encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


def test_another_site_may_frame_the_widget_and_nothing_else(page, live_server, partner_site):
    page.goto(partner_site)
    widget = page.frame_locator("#widget")
    widget.locator("a[href*='/fr/events/']").first.wait_for()
    assert widget.locator("html").get_attribute("lang") == "fr"
    # The list page refuses to be framed (X-Frame-Options, frame-ancestors 'self'): nothing of it shows.
    page.wait_for_timeout(1000)
    list_frame = next(frame for frame in page.frames if frame.name == "" and frame.parent_frame
                      and "/embed/" not in frame.url)
    assert not list_frame.url.startswith(live_server.url)  # Chromium's error page in its place
    assert page.frame_locator("#list").locator("a[href*='/en/events/']").count() == 0
