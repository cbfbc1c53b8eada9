"""Organisers' own translations of an event (issue 18): entered on the organiser pages by those
who may edit the event, shown on the event page and the list, carried by every feed with the
right LANGUAGE, sanitised; a coordinator of another country cannot translate the event."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from icalendar import Calendar
from icalendar import Event as VEvent

from contenttranslation import services
from contenttranslation.models import EventTranslation
from events import feeds
from events.models import Event
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(db):
    member = factories.user()
    org = factories.organisation("DE", members=[member])
    event = factories.published_event(org, title="Konferenz über Fähigkeiten", summary="Ein Tag voller Ideen.",
                                      description="<p>Wir sprechen über <b>Zukunft</b>.</p>", language="de")
    return {"member": member, "org": org, "event": event}


def save(user, event, language="fr", **fields):
    values = {"title": "Conférence sur les compétences", "summary": "Une journée d'idées.",
              "description": "<p>Nous parlons <i>avenir</i>.</p>"}
    values.update(fields)
    return services.event_translation_save(user=user, event=event, language=language, **values)


def test_organiser_adds_edits_and_deletes_a_translation_on_the_organiser_pages(client, setup):
    event = setup["event"]
    client.force_login(setup["member"])
    own_page = client.get(f"/en/organise/events/{event.uid}/").content.decode()
    assert f"/en/organise/events/{event.uid}/translations/" in own_page
    url = f"/en/organise/events/{event.uid}/translations/"
    form = client.get(url)
    assert form.status_code == 200
    assert 'value="de"' not in form.content.decode()  # not into the event's own language
    response = client.post(url, {"language": "fr", "title": "Conférence", "summary": "Un jour.",
                                 "description": '<p onclick="x()">Bonjour<script>alert(1)</script></p>'})
    assert response.status_code == 302
    translation = EventTranslation.objects.get(event=event, language="fr")
    assert translation.description == "<p>Bonjour</p>"  # sanitised as the event's own description
    edit = client.post(f"{url}fr/", {"title": "Conférence 2", "summary": "Un jour.", "description": ""})
    assert edit.status_code == 302
    assert EventTranslation.objects.get(event=event, language="fr").title == "Conférence 2"
    assert client.post(f"{url}fr/delete/").status_code == 302
    assert not EventTranslation.objects.filter(event=event).exists()


def test_a_coordinator_of_the_country_may_translate_one_of_another_country_may_not(client, setup):
    event = setup["event"]
    save(factories.coordinator("DE"), event, language="it")
    assert EventTranslation.objects.filter(event=event, language="it").exists()
    french = factories.coordinator("FR")
    with pytest.raises(PermissionDenied):
        save(french, event, language="es")
    client.force_login(french)
    url = f"/en/organise/events/{event.uid}/translations/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"language": "es", "title": "x", "summary": "y"}).status_code == 404
    assert client.post(f"{url}it/delete/").status_code == 404
    assert not EventTranslation.objects.filter(event=event, language="es").exists()
    assert EventTranslation.objects.filter(event=event, language="it").exists()


def test_a_member_of_another_organisation_cannot_translate(client, setup):
    stranger = factories.user()
    factories.organisation("DE", members=[stranger])
    with pytest.raises(PermissionDenied):
        save(stranger, setup["event"])
    client.force_login(stranger)
    assert client.get(f"/en/organise/events/{setup['event'].uid}/translations/").status_code == 404


def test_event_page_and_list_show_the_organisers_translation_with_its_language(client, setup):
    event = setup["event"]
    save(setup["member"], event)
    page = client.get(f"/en/events/{event.uid}/?lang=fr").content.decode()
    assert '<h1 lang="fr">Conférence sur les compétences</h1>' in page
    assert '<div class="event-description" lang="fr"><p>Nous parlons <i>avenir</i>.</p></div>' in page
    assert f'href="/en/events/{event.uid}/" hreflang="de"' in page
    original = client.get(f"/en/events/{event.uid}/").content.decode()
    assert '<h1 lang="de">Konferenz über Fähigkeiten</h1>' in original
    listing = client.get("/fr/events/?country=DE").content.decode()
    assert f'<h3 lang="fr"><a href="/fr/events/{event.uid}/?lang=fr">Conférence sur les compétences</a></h3>' in listing
    other = client.get("/it/events/?country=DE").content.decode()
    assert '<h3 lang="de">' in other
    assert f"/it/events/{event.uid}/?lang=it" not in other  # no dead end: no translation into Italian to offer
    with override_settings(EYOS_MT_BACKEND="tests.contenttranslation.fakes.FakeBackend"):
        other = client.get("/it/events/?country=DE&page=1").content.decode()
    assert f"/it/events/{event.uid}/?lang=it" in other  # "Show in italiano"


def test_feeds_carry_the_translation_with_language_in_both_writers(client, setup):
    event = setup["event"]
    save(setup["member"], event)
    for path in ("/feeds/events.ics?country=DE&lang=fr", "/feeds/countries/de.ics?lang=fr",
                 f"/feeds/events/{event.uid}.ics?lang=fr"):
        calendar = Calendar.from_ical(client.get(path).content)
        (vevent,) = [v for v in calendar.walk("VEVENT") if str(v["UID"]).startswith(str(event.uid))]
        assert str(vevent["SUMMARY"]) == "Conférence sur les compétences", path
        assert vevent["SUMMARY"].params["LANGUAGE"] == "fr"
        assert "Une journée d'idées." in str(vevent["DESCRIPTION"])
    calendar = Calendar.from_ical(client.get("/feeds/events.ics?country=DE&lang=it").content)
    (vevent,) = [v for v in calendar.walk("VEVENT") if str(v["UID"]).startswith(str(event.uid))]
    assert str(vevent["SUMMARY"]) == "Konferenz über Fähigkeiten" and "LANGUAGE" not in vevent["SUMMARY"].params


def test_fast_writer_and_icalendar_agree_on_a_translated_event(setup):
    from contenttranslation.selectors import with_translations

    save(setup["member"], setup["event"])
    event = Event.objects.select_related("organisation").get(pk=setup["event"].pk)
    (event,) = with_translations([event], "fr")
    fast = VEvent.from_ical(feeds.serialise_vevent(event))
    reference = VEvent.from_ical(feeds.build_vevent(event).to_ical())
    assert sorted(fast.keys()) == sorted(reference.keys())
    for name in reference:
        assert fast.decoded(name) == reference.decoded(name), name
    assert fast["SUMMARY"].params["LANGUAGE"] == reference["SUMMARY"].params["LANGUAGE"] == "fr"
    assert fast["DESCRIPTION"].params["LANGUAGE"] == "fr"


def test_saving_a_translation_renews_cached_feeds_and_pages(client, setup):
    event = setup["event"]
    before = client.get("/feeds/events.ics?country=DE&lang=fr")
    assert b"Konferenz" in before.content
    page = client.get(f"/en/events/{event.uid}/?lang=fr")
    assert "Konferenz über Fähigkeiten" in page.content.decode()
    save(setup["member"], event)
    after = client.get("/feeds/events.ics?country=DE&lang=fr", HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and "Conférence".encode() in after.content
    assert "Conférence sur les compétences" in client.get(f"/en/events/{event.uid}/?lang=fr").content.decode()


def test_never_into_the_events_own_language(setup):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        save(setup["member"], setup["event"], language="de")
