"""Organisers' rich text is cleaned where it is stored, whoever writes it (form, service, admin,
shell), and renders without scripts, event handlers or javascript: links in pages, the admin's
review page, feeds and emails."""

import pytest
from django.core import mail

from events import services
from events.models import Event
from tests import factories

pytestmark = pytest.mark.django_db

HOSTILE = (
    '<p onclick="steal()">Hello <script>alert("x")</script><b onmouseover="x()">bold</b> '
    '<a href="javascript:alert(1)">click</a> <a href="https://example.org/ok">fine</a>'
    '<img src=x onerror="boom()"><iframe src="https://evil.example"></iframe><style>body{}</style></p>'
)
TITLE = 'Workshop <script>alert("t")</script>'
FORBIDDEN = ("<script", "onclick", "onmouseover", "onerror", "javascript:", "<iframe", "<img", "<style", "steal()")


def assert_clean(text, where):
    lowered = text.lower()
    for fragment in FORBIDDEN:
        assert fragment not in lowered, (where, fragment)


def test_hostile_rich_text_renders_without_scripts_everywhere(client, django_capture_on_commit_callbacks):
    coordinator = factories.coordinator("FR")
    org = factories.organisation("FR", members=[factories.user("writer@example.org")])
    event = factories.published_event(org, title=TITLE, description=HOSTILE)
    event.refresh_from_db()
    assert_clean(event.description, "created")
    # Straight through the service, no form in between.
    services.event_update(user=coordinator, event=event, data={"description": HOSTILE + " "})
    event.refresh_from_db()
    assert_clean(event.description, "stored")
    assert "bold" in event.description and 'href="https://example.org/ok"' in event.description
    # Even a direct write of the field is cleaned when saved.
    Event.objects.get(pk=event.pk).save()
    event.description = HOSTILE
    event.save(update_fields=["description"])
    event.refresh_from_db()
    assert_clean(event.description, "saved again")

    page = client.get(f"/en/events/{event.uid}/").content.decode()
    assert_clean(page.split("<main", 1)[1].replace('alert("t")', ""), "event page")  # title is escaped below
    assert "&lt;script&gt;" in page and '<script>alert("t")' not in page
    from icalendar import Calendar

    # Feeds carry plain text: the title as it was typed (a calendar shows text, not HTML), and the
    # description with its markup, and what was stripped, gone.
    (vevent,) = Calendar.from_ical(client.get(f"/feeds/events/{event.uid}.ics").content).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == TITLE
    description = str(vevent["DESCRIPTION"])
    assert "bold" in description and "<" not in description and "alert" not in description
    assert "javascript:" not in description
    client.force_login(coordinator)
    review = client.get(f"/admin/coordinators/events/{event.uid}/").content.decode()
    body = review.split("<main", 1)[1] if "<main" in review else review
    assert "steal()" not in body and "javascript:alert" not in body and "onerror" not in body
    assert '<script>alert("t")' not in review
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        registration = services.registration_create(event=event, name="<b onclick=x>Eve</b>",
                                                    email="eve@example.org", consent=True, language="en")
        services.registration_confirm(registration=registration)
    assert mail.outbox
    for message in mail.outbox:  # plain text only: what was typed is shown as typed, never run
        assert not getattr(message, "alternatives", None)
        assert_clean(message.body.replace(TITLE, "").replace("<b onclick=x>Eve</b>", ""), "email")


# What the description editor (Trix, static/js/rich-text.js) writes, and what is stored.
@pytest.mark.parametrize(("written", "stored"), [
    # A blank line (Return twice) is a paragraph break; breaks at a paragraph's end go.
    ("<p>One<br><br>Two<br><br><br></p>", "<p>One</p><p>Two</p>"),
    # One line break stays one.
    ("<p>Line one<br>line two</p>", "<p>Line one<br>line two</p>"),
    # Inside a list item a blank line is left alone (a paragraph cannot sit there).
    ("<ul><li>a<br><br>b</li></ul>", "<ul><li>a<br><br>b</li></ul>"),
    # Empty paragraphs go.
    ("<p></p><p>&nbsp;</p><p>Text</p>", "<p>Text</p>"),
    # A paragraph break inside bold or a link keeps the formatting on both sides.
    ("<p>a <strong>b<br></strong><br><strong>c</strong></p>", "<p>a <strong>b</strong></p><p><strong>c</strong></p>"),
    ('<p><a href="https://example.org">x<br><br>y</a></p>',
     '<p><a href="https://example.org" rel="noopener noreferrer nofollow">x</a></p>'
     '<p><a href="https://example.org" rel="noopener noreferrer nofollow">y</a></p>'),
    # The editor's non-breaking space beside formatting becomes a plain space; others stay.
    ("<p>With&nbsp;<strong>bold</strong>&nbsp;text, 10&nbsp;km</p>", "<p>With <strong>bold</strong> text, 10&nbsp;km</p>"),
    # Lists, italic and links as the editor writes them.
    ('<p><em>i</em></p><ol><li>one</li><li>two</li></ol>', '<p><em>i</em></p><ol><li>one</li><li>two</li></ol>'),
])
def test_what_the_editor_writes_is_stored_as_paragraphs(written, stored):
    from events.richtext import sanitise_description

    assert sanitise_description(written) == stored
    assert sanitise_description(stored) == stored  # stable: saving again changes nothing


def test_the_description_field_is_an_editor_with_a_plain_textarea_underneath(client):
    organiser = factories.user("writer@example.org")
    factories.organisation("FR", members=[organiser])
    client.force_login(organiser)
    response = client.get("/en/organise/events/new/")
    html = response.content.decode()
    # Without JavaScript the textarea is the field; the page loads the editor and its toolbar,
    # which offers only what is kept, in the page's language.
    assert '<textarea name="description"' in html and "data-rich-text" in html
    assert "vendor/trix/trix.umd.min.js" in html and "js/rich-text.js" in html
    assert '<template data-rich-text-toolbar="id_description">' in html
    for kept in ('data-trix-attribute="bold"', 'data-trix-attribute="italic"', 'data-trix-attribute="href"',
                 'data-trix-attribute="bullet"', 'data-trix-attribute="number"'):
        assert kept in html
    for dropped in ("heading1", "quote", '"code"', "attachFiles", "strike"):
        assert dropped not in html
    # Trix's own <style> is let in by the page's CSP nonce, which is in the header too.
    nonce = html.split('<meta name="trix-csp-nonce" nonce="', 1)[1].split('"', 1)[0]
    assert nonce and f"'nonce-{nonce}'" in response.headers["Content-Security-Policy"]
    french = client.get("/fr/organise/events/new/").content.decode()
    assert 'title="Gras"' in french and 'title="Liste à puces"' in french


def test_coordinators_write_descriptions_in_the_same_editor(client):
    client.force_login(factories.coordinator("FR"))
    html = client.get("/admin/coordinators/events/new/").content.decode()
    assert "vendor/trix/trix.umd.min.js" in html and "vendor/trix/trix.css" in html
    assert '<template data-rich-text-toolbar="id_description">' in html
