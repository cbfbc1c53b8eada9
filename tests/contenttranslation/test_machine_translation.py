"""Event content on request in the reader's language (issue 18): a pluggable machine-translation
backend (fakes here, no network), cached per event, language and version of the text, labelled,
marked with its language, never replacing the organiser's text; organisers' own translations win."""

import re

import pytest
from django.test import override_settings

from contenttranslation import services
from contenttranslation.models import EventTranslation, MachineTranslation
from events.models import Event
from tests import factories

from .fakes import AsyncFakeBackend, FakeBackend

pytestmark = pytest.mark.django_db
FAKE = "tests.contenttranslation.fakes.FakeBackend"


@pytest.fixture
def event(db):
    org = factories.organisation("DE", members=[factories.user()])
    return factories.published_event(org, title="Konferenz über Fähigkeiten", summary="Ein Tag voller Ideen.",
                                     description="<p>Wir sprechen über <b>Zukunft</b>.</p>", language="de")


@pytest.fixture(autouse=True)
def _reset_fakes():
    FakeBackend.calls.clear()
    AsyncFakeBackend.submitted.clear()


def page(client, event, lang=None, ui="fr"):
    url = f"/{ui}/events/{event.uid}/" + (f"?lang={lang}" if lang else "")
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def translate(client, event, lang, ui="fr"):
    return client.post(f"/{ui}/events/{event.uid}/translate/", {"lang": lang})


def test_off_by_default_no_button_no_backend(client, event):
    assert '?lang=fr"' not in page(client, event)  # no "Show in français" leading nowhere
    body = page(client, event, lang="fr")
    assert "translation-offer" not in body
    assert "Konferenz über Fähigkeiten" in body
    response = translate(client, event, "fr")
    assert response.status_code == 302
    assert MachineTranslation.objects.count() == 0


@override_settings(EYOS_MT_BACKEND=FAKE)
def test_show_in_my_language_translates_once_labels_and_marks_lang(client, event):
    plain = page(client, event)
    assert '?lang=fr"' in plain  # "Show in français" link from the original
    offer = page(client, event, lang="fr")
    assert "translation-offer" in offer and 'name="lang" value="fr"' in offer
    response = translate(client, event, "fr")
    assert response.status_code == 302 and response["Location"].endswith(f"/events/{event.uid}/?lang=fr")
    body = page(client, event, lang="fr")
    assert re.search(r'<h1 lang="fr">\[fr\] Konferenz über Fähigkeiten</h1>', body)
    assert '<div class="event-description" lang="fr">[fr] <p>Wir sprechen über <b>Zukunft</b>.</p></div>' in body
    assert "Traduction automatique" in body or "Machine translation" in body
    assert f'href="/fr/events/{event.uid}/" hreflang="de"' in body  # link to the original
    # Cached: asking again, from anywhere, does not call the backend again.
    translate(client, event, "fr")
    page(client, event, lang="fr", ui="en")
    assert len(FakeBackend.calls) == 1
    # The organiser's text is untouched; the original page still shows it.
    event.refresh_from_db()
    assert event.title == "Konferenz über Fähigkeiten"
    assert re.search(r'<h1 lang="de">Konferenz über Fähigkeiten</h1>', page(client, event))


@override_settings(EYOS_MT_BACKEND=FAKE)
def test_a_new_version_of_the_text_is_translated_again_other_changes_are_not(client, event):
    translate(client, event, "fr")
    event.capacity = 50
    event.save()
    translate(client, event, "fr")
    assert len(FakeBackend.calls) == 1
    event.title = "Neue Konferenz"
    event.save()
    assert "[fr] Konferenz" not in page(client, event, lang="fr")  # the old translation is not shown
    translate(client, event, "fr")
    assert len(FakeBackend.calls) == 2
    assert "[fr] Neue Konferenz" in page(client, event, lang="fr")
    assert MachineTranslation.objects.filter(event=event, language="fr").count() == 1  # old version pruned


@override_settings(EYOS_MT_BACKEND="tests.contenttranslation.fakes.BrokenBackend")
def test_backend_failure_is_a_message_not_a_500(client, event):
    response = translate(client, event, "fr")
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "Konferenz über Fähigkeiten" in body
    assert 'class="message error"' in body or "message error" in body
    row = MachineTranslation.objects.get(event=event, language="fr")
    assert row.status == "failed" and "503" in row.error


@override_settings(EYOS_MT_BACKEND="tests.contenttranslation.fakes.EvilBackend")
def test_machine_output_is_sanitised(client, event):
    translate(client, event, "fr")
    body = page(client, event, lang="fr")
    assert "<script>alert" not in body and "onclick" not in body and "javascript:" not in body
    row = MachineTranslation.objects.get(event=event)
    assert "<script" not in row.description and "onclick" not in row.description


@override_settings(EYOS_MT_BACKEND=FAKE, EYOS_MT_MAX_CHARS=50)
def test_too_long_is_refused_without_calling_the_backend(client, event):
    response = translate(client, event, "fr")
    assert response.status_code == 302
    assert FakeBackend.calls == [] and MachineTranslation.objects.count() == 0


@override_settings(EYOS_MT_BACKEND=FAKE)
def test_organiser_translation_wins_over_machine_translation(client, event):
    translate(client, event, "fr")
    member = event.organisation.members.get()
    services.event_translation_save(user=member, event=event, language="fr", title="Conférence sur les compétences",
                                    summary="Une journée d'idées.", description="<p>Nous parlons <i>avenir</i>.</p>")
    body = page(client, event, lang="fr")
    assert re.search(r'<h1 lang="fr">Conférence sur les compétences</h1>', body)
    assert "[fr]" not in body
    assert "Traduit par l" in body or "Translated by the organiser" in body


@override_settings(EYOS_MT_BACKEND="tests.contenttranslation.fakes.AsyncFakeBackend", SITE_URL="https://eyos.example.org")
def test_asynchronous_backend_pending_then_callbacks(client, event):
    response = translate(client, event, "fr")
    assert response.status_code == 302
    assert [s["target"] for s in AsyncFakeBackend.submitted] == ["fr"]
    sent = AsyncFakeBackend.submitted[0]
    assert sent["callback_url"] == "https://eyos.example.org/mt/etranslation/callback/"
    pending = client.get(f"/fr/events/{event.uid}/?lang=fr")
    assert "private" in pending["Cache-Control"]  # never kept by the page cache while pending
    # A forged reference is refused.
    forged = client.post("/mt/etranslation/callback/", {"external-reference": "1:forged:title", "translated-text": "x"})
    assert forged.status_code == 400
    for field, text in (("title", "Conférence"), ("summary", "Un jour."), ("description", "<p>Avenir</p>")):
        answer = client.post("/mt/etranslation/callback/", {
            "request-id": "42", "target-language": "FR", "translated-text": text,
            "external-reference": f"{sent['reference']}:{field}"})
        assert answer.status_code == 200
    body = page(client, event, lang="fr")
    assert re.search(r'<h1 lang="fr">Conférence</h1>', body)
    assert MachineTranslation.objects.get(event=event).status == "done"


@override_settings(EYOS_MT_BACKEND="tests.contenttranslation.fakes.AsyncFakeBackend")
def test_asynchronous_error_callback_marks_failed(client, event):
    translate(client, event, "fr")
    reference = AsyncFakeBackend.submitted[0]["reference"]
    client.post("/mt/etranslation/error/", {"external-reference": f"{reference}:title", "error-code": "-20000",
                                             "error-message": "Source language not supported"})
    row = MachineTranslation.objects.get(event=event)
    assert row.status == "failed" and "-20000" in row.error


@override_settings(EYOS_MT_BACKEND=FAKE, EYOS_MT_RATE=(2, 3600))
def test_translation_requests_are_rate_limited_per_visitor(client, event):
    assert translate(client, event, "fr").status_code == 302
    assert translate(client, event, "it").status_code == 302
    assert translate(client, event, "pl").status_code == 429


def test_unpublished_events_cannot_be_translated(client, event):
    Event.objects.filter(pk=event.pk).update(status=Event.Status.DRAFT)
    assert translate(client, event, "fr").status_code == 404
    assert EventTranslation.objects.count() == 0
