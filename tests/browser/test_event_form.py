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


def fill_required(page, title):
    page.fill("#id_title", title)
    page.fill("#id_summary", "A short summary.")
    page.fill("#id_start", "2027-05-10T10:00")
    page.fill("#id_end", "2027-05-10T12:00")
    page.select_option("#id_format", "online")
    page.fill("#id_online_url", "https://meet.example.org/x")


class Keys:
    """Keys as a person types them: each one after Trix has drawn the previous one. Trix applies
    a key on the next animation frame; keys sent at machine speed could be applied out of order
    under load (a line break landing after the next letter)."""

    def __init__(self, page):
        self.page = page

    def _drawn(self):
        self.page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")

    def type(self, text):
        for character in text:
            self.page.keyboard.type(character)
            self._drawn()

    def press(self, key):
        self.page.keyboard.press(key)
        self._drawn()


def test_the_description_is_written_in_a_rich_text_editor(page):
    sign_in(page, "organiser@example.org")
    page.goto("/en/organise/events/new/")
    editor = page.get_by_role("textbox", name="Description:", exact=True)
    page.locator("trix-editor[connected]").wait_for()
    assert not page.locator("#id_description").is_visible()
    # The toolbar offers only what the description keeps: no headings, quotes, code or files.
    toolbar = page.locator("trix-toolbar")
    assert toolbar.get_by_role("button", name="Bold").is_visible()
    assert toolbar.get_by_role("button", name="Bulleted list").is_visible()
    assert toolbar.locator("[data-trix-attribute=heading1], [data-trix-attribute=quote], "
                           "[data-trix-attribute=code], [data-trix-action=attachFiles]").count() == 0
    editor.click()
    typed = Keys(page)
    typed.type("First paragraph with ")
    bold = toolbar.get_by_role("button", name="Bold")
    bold.click()
    typed.type("bold")
    bold.click()
    typed.type(" words.")
    typed.press("Enter")
    typed.press("Enter")  # a blank line: a new paragraph
    typed.type("Second paragraph.")
    typed.press("Enter")
    # The list button works from the keyboard too (Tab to it, Enter), not only with a mouse.
    toolbar.get_by_role("button", name="Bulleted list").focus()
    typed.press("Enter")
    typed.type("One item")
    typed.press("Enter")
    typed.press("Enter")  # out of the list
    # A link through the toolbar's dialog, with nothing selected: the address becomes the link's text.
    typed.type("See ")
    typed.press("Control+k")
    page.get_by_role("textbox", name="Link address (https://…)").fill("https://example.org/more")
    page.keyboard.press("Enter")
    page.wait_for_function("""() => document.querySelector("#id_description").value
        .includes('<a href="https://example.org/more">https://example.org/more</a>')""")
    fill_required(page, "Rich text in the browser")
    assert axe_violations(page) == []
    assert csp_violations(page) == []
    with page.expect_navigation():
        page.get_by_role("button", name="Save as draft").click()
    from events.models import Event
    event = Event.objects.get(title="Rich text in the browser")
    assert event.description == ("<p>First paragraph with <strong>bold</strong> words.</p><p>Second paragraph.</p>"
                                 "<ul><li>One item</li></ul>"
                                 '<p>See <a href="https://example.org/more" rel="noopener noreferrer nofollow">'
                                 "https://example.org/more</a></p>")
