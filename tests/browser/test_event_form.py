"""The organiser's event form in the browser: only the fields that apply are shown
(static/js/event-form.js), a field with an error stays visible, and the sectioned form passes axe."""

from tests.browser.conftest import sign_in
from tests.browser.test_journeys import axe_violations, csp_violations


def visible(page, name):
    return page.locator(f'[data-field="{name}"]').is_visible()


def test_only_the_fields_that_apply_are_shown(page):
    sign_in(page, "organiser@example.org")
    page.goto("/en/organise/events/new/")
    page.get_by_role("group", name="Where").wait_for()
    # On site (the default): the place, no join link.
    assert visible(page, "address") and not visible(page, "online_url")
    page.select_option("#id_format", "online")
    assert visible(page, "online_url") and not visible(page, "address") and not visible(page, "city")
    page.select_option("#id_format", "hybrid")
    assert visible(page, "online_url") and visible(page, "address")
    page.select_option("#id_registration_mode", "external")
    assert visible(page, "external_registration_url") and not visible(page, "capacity")
    page.select_option("#id_registration_mode", "platform")
    assert visible(page, "capacity") and visible(page, "registration_opens")
    assert not visible(page, "external_registration_url")
    assert axe_violations(page) == []
    assert csp_violations(page) == []


def test_a_field_with_an_error_stays_visible(page):
    sign_in(page, "organiser@example.org")
    page.goto("/en/organise/events/new/")
    page.select_option("#id_registration_mode", "platform")
    page.fill("#id_capacity", "10")
    # Capacity is for registration on this platform only: hidden once "none" is chosen, but still sent.
    page.select_option("#id_registration_mode", "none")
    assert not visible(page, "capacity")
    with page.expect_navigation():
        page.get_by_role("button", name="Save as draft").click()
    page.get_by_role("heading", name="Please correct the errors below.").wait_for()
    assert visible(page, "capacity")
    assert "Capacity applies only to registration on this platform." in page.locator('[data-field="capacity"]').inner_text()
