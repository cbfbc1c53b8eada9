"""The organiser's event form in sections (What, When, Where, Registration, Accessibility), with
required fields marked, and the fields that apply only to some formats or registration modes
marked for static/js/event-form.js (which the browser test drives)."""

import re

import pytest

from events.forms import EventForm, OrganiserEventForm
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(db):
    person = factories.user("sections@example.org")
    factories.organisation("FR", members=[person], name="Ateliers Lyon")
    return person


def test_every_field_of_the_event_form_is_in_one_section():
    grouped = [name for _legend, names in EventForm.FIELDSETS for name in names]
    assert len(grouped) == len(set(grouped))
    # A field added to the form without a section fails here.
    assert set(EventForm.base_fields) == set(grouped)
    assert set(EventForm.APPLIES_WHEN) <= set(grouped)


def test_the_page_shows_the_sections_in_order_with_every_field(client, organiser):
    client.force_login(organiser)
    response = client.get("/en/organise/events/new/")
    body = response.content.decode()
    sections = re.findall(r'<fieldset class="form-section">\s*<legend>([^<]+)</legend>', body)
    assert sections == ["What", "When", "Where", "Registration", "Accessibility"]
    form = response.context["form"]
    assert isinstance(form, OrganiserEventForm)
    for name in form.fields:
        if name != "website":  # the honeypot, hidden by the stylesheet
            assert body.count(f'name="{name}"') >= 1, name
    # The organisation comes first, before the sections.
    assert body.index('name="organisation"') < body.index("<legend>What</legend>")
    assert "Fields marked * are required." in body


def test_required_fields_are_marked_and_optional_ones_are_not(client, organiser):
    client.force_login(organiser)
    body = client.get("/en/organise/events/new/").content.decode()
    assert re.search(r'<label[^>]*class="required"[^>]*for="id_title"|<label[^>]*for="id_title"[^>]*class="required"', body)
    assert re.search(r'<input[^>]*name="title"[^>]*required', body)
    venue_label = re.search(r'<label[^>]*for="id_venue"[^>]*>', body).group(0)
    assert "required" not in venue_label


def test_fields_that_apply_only_sometimes_say_when(client, organiser):
    client.force_login(organiser)
    body = client.get("/en/organise/events/new/").content.decode()

    def rule(name):
        match = re.search(rf'data-field="{name}"(?: data-applies-when="([^"]+)")?', body)
        return match.group(1)

    assert rule("online_url") == "format=online,hybrid"
    assert rule("address") == "format=onsite,hybrid"
    assert rule("capacity") == "registration_mode=platform"
    assert rule("external_registration_url") == "registration_mode=external"
    assert rule("title") is None and rule("format") is None
    assert "js/event-form" in body


def test_a_field_with_an_error_is_marked_so_the_script_keeps_it_visible(client, organiser):
    client.force_login(organiser)
    org = organiser.organisations.get()
    response = client.post("/en/organise/events/new/", {
        "organisation": org.pk, "title": "Atelier", "summary": "x", "language": "fr", "target_audience": "everyone",
        "format": "online", "start": "2030-01-01T10:00", "end": "2030-01-01T12:00", "timezone": "Europe/Paris",
        "registration_mode": "external", "capacity": "10"})
    body = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'class="form-field has-error" data-field="capacity"', body)
    assert re.search(r'class="form-field has-error" data-field="online_url"', body)


def test_a_failed_form_leaves_the_event_it_was_given_untouched(db):
    """Model validation writes the typed values on the form's own copy of the event."""
    from events.forms import EventForm
    from tests import factories

    event = factories.event(factories.organisation("FR"), title="Original", online_url="")
    data = {"title": "Typed", "summary": "S", "language": "en", "format": "online", "online_url": "",
            "start": "2031-01-01T10:00", "end": "2031-01-01T09:00", "timezone": "Europe/Paris",
            "registration_mode": "none", "target_audience": "everyone"}
    form = EventForm(data, instance=event)
    assert not form.is_valid() and {"end", "online_url"} & set(form.errors)
    assert form.instance is not event and form.instance.pk == event.pk and form.instance.title == "Typed"
    assert (event.title, event.format) == ("Original", "onsite")
