"""Phones (390 px): no page wider than the screen, the language menu inside it, the first event
near the top of the event list; and the desktop (1366 px) unchanged in those respects."""

import pytest

from events import services
from tests.browser.conftest import sign_in
from tests.browser.test_journeys import csp_violations, upcoming_event

pytestmark = pytest.mark.browser

OVERFLOW = "() => document.scrollingElement.scrollWidth - innerWidth"
PAGES = ("/en/", "/en/events/", "/en/events/?country=FR&format=onsite", "/en/events/subscribe/", "/en/accounts/login/")


def language_menu_box(page):
    page.click(".language-nav summary")
    return page.evaluate("""() => { const r = document.querySelector('.language-nav ul').getBoundingClientRect();
        return {left: r.left, right: r.right, width: innerWidth}; }""")


def test_phone_pages_fit_the_screen(page):
    page.set_viewport_size({"width": 390, "height": 844})
    event = upcoming_event(capacity__isnull=True)
    for path in (*PAGES, f"/en/events/{event.uid}/"):
        page.goto(path)
        assert page.evaluate(OVERFLOW) <= 0, path
        assert csp_violations(page) == [], path
    box = language_menu_box(page)
    assert 0 <= box["left"] and box["right"] <= box["width"], box

    page.goto("/en/events/")
    first = page.locator(".event-cards li").first.bounding_box()
    assert first["y"] < 844, first  # the first event is on the first screen
    page.click(".filters-disclosure summary")
    page.locator("#id_q").wait_for(state="visible")

    from django.contrib.auth import get_user_model
    citizen = get_user_model().objects.get(email="citizen@example.org")
    services.registration_create(event=event, name="Citizen " + "Longname" * 6, email=citizen.email, consent=True,
                                 language="en", user=citizen)
    sign_in(page, "citizen@example.org")
    for path in ("/en/", "/en/registrations/"):
        page.goto(path)
        assert page.evaluate(OVERFLOW) <= 0, path
        header = page.locator(".site-header").bounding_box()
        assert header["height"] <= 844 / 6, header  # not a fifth of the screen
    cancel = page.get_by_role("button", name="Cancel").first.bounding_box()
    assert cancel["x"] + cancel["width"] <= 390, cancel


def test_desktop_keeps_its_layout(page):
    page.set_viewport_size({"width": 1366, "height": 800})
    for path in PAGES:
        page.goto(path)
        assert page.evaluate(OVERFLOW) <= 0, path
    page.goto("/en/events/")
    assert page.locator(".filters-disclosure").count() == 0  # filters stay open beside the list
    assert page.locator("#id_q").is_visible()
    box = language_menu_box(page)
    assert 0 <= box["left"] and box["right"] <= box["width"], box
