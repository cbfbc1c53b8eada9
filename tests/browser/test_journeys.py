"""Journeys through a real browser, accessibility checked with axe-core (WCAG 2.1 AA)."""

import re
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from events.models import Event, Registration
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def csp_violations(page):
    """Console errors from the Content-Security-Policy on the current page."""
    return [m for m in getattr(page, "console_errors", []) if "Content Security Policy" in m]


def axe_violations(page, context=None):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context=context, options=WCAG_AA)
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]]


def upcoming_event(**filters):
    return (Event.objects.filter(status="published", start__gt=timezone.now(), registration_mode="platform", **filters)
            .order_by("start").first())


# Each browser test costs a fresh seed of the demo data (the live server empties the database), so
# related checks share one test.
def test_public_pages_pass_axe_and_work_by_keyboard(page):
    keyboard_users_can_skip_to_the_content_and_filter(page)
    the_visitors_own_time_is_shown_next_to_the_events(page)
    event = upcoming_event(capacity__isnull=True)
    for path in ("/en/", "/fr/", "/en/events/", "/en/events/?country=FR&format=online",
                 f"/en/events/{event.uid}/", "/en/events/subscribe/?country=DE", "/en/accounts/login/",
                 "/en/events/?from=nonsense"):
        page.goto(path)
        assert axe_violations(page) == [], path
        assert csp_violations(page) == [], path


def test_guest_registers_confirms_and_cancels(page):
    event = upcoming_event(capacity__isnull=True)
    page.goto(f"/en/events/{event.uid}/")
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_label("Your email address").fill("ada@example.org")
    page.get_by_label(re.compile("I agree")).check()
    page.get_by_role("button", name="Register").click()
    assert page.get_by_role("heading", name="Check your email").is_visible()
    confirm = re.search(r"https?://[^/]+(/en/registrations/confirm/\S+/)", mail.outbox[-1].body).group(1)
    page.goto(confirm)
    page.get_by_role("button", name="Confirm my registration").click()
    assert page.get_by_role("heading", name="Your place is confirmed").is_visible()
    assert Registration.objects.get(email="ada@example.org").status == "confirmed"
    cancel = re.search(r"https?://[^/]+(/en/registrations/cancel/\S+/)", mail.outbox[-1].body).group(1)
    page.goto(cancel)
    page.get_by_role("button", name="Yes, cancel my registration").click()
    assert page.get_by_role("heading", name="Your registration is cancelled").is_visible()
    assert Registration.objects.get(email="ada@example.org").status == "cancelled"


def keyboard_users_can_skip_to_the_content_and_filter(page):
    page.goto("/en/events/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("node => node === document.activeElement")
    page.keyboard.press("Enter")
    page.get_by_label("Search").fill("workshop")
    page.get_by_label("Search").press("Enter")
    page.wait_for_url(re.compile(r"q=workshop"))
    assert page.get_by_role("heading", level=2, name=re.compile(r"\d+ events?")).is_visible()


def the_visitors_own_time_is_shown_next_to_the_events(page):
    event = upcoming_event(timezone="Europe/Paris")
    page.goto(f"/en/events/{event.uid}/")  # the browser runs in New York time
    assert "your time" in page.locator(".local-time").first.inner_text()


def test_coordinator_dashboard_and_screenshot(page):
    sign_in(page, "coordinator-fr@example.org")
    page.goto("/admin/coordinators/dashboard/FR/")
    assert page.get_by_role("heading", name="Key figures").is_visible()
    assert page.locator("figure.eyos-chart svg").count() >= 4
    violations = axe_violations(page, context={"include": [["main"]], "exclude": [[".w-breadcrumbs"]]})
    assert violations == []
    page.set_viewport_size({"width": 1280, "height": 1400})
    (ROOT / "docs").mkdir(exist_ok=True)
    page.screenshot(path=str(ROOT / "docs" / "dashboard.png"), full_page=False)
    # Another country's dashboard is not there for this coordinator.
    response = page.goto("/admin/coordinators/dashboard/DE/")
    assert response.status == 404
