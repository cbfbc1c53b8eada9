"""The real backends' requests and answers, without the network: `_post` is replaced by a fake
that records the request and gives a canned answer (or a failure)."""

import json

import pytest
from django.test import override_settings

from contenttranslation import backends
from contenttranslation.backends import TranslationError, get_backend

FIELDS = {"title": "Fish & chips", "summary": "A <b>day</b>", "description": "<p>Hello <b>world</b></p>"}


@pytest.fixture
def wire(monkeypatch):
    sent = []

    def answer(body):
        def fake_post(request, *, opener=None):
            sent.append(request)
            if isinstance(body, Exception):
                raise body
            return body if isinstance(body, bytes) else json.dumps(body).encode()
        monkeypatch.setattr(backends, "_post", fake_post)
        return sent

    return answer


def test_none_by_default():
    assert get_backend() is None


@override_settings(EYOS_MT_BACKEND="deepl", EYOS_MT_API_KEY="abc:fx", EYOS_MT_URL="")
def test_deepl_request_and_answer(wire):
    sent = wire({"translations": [{"text": "Fisch &amp; Pommes"}, {"text": "Ein &lt;b&gt;Tag"},
                                  {"text": "<p>Hallo <b>Welt</b></p>"}]})
    result = get_backend().translate(FIELDS, source="en", target="pt")
    (request,) = sent
    assert request.full_url == "https://api-free.deepl.com/v2/translate"
    assert request.get_header("Authorization") == "DeepL-Auth-Key abc:fx"
    payload = json.loads(request.data)
    assert payload["target_lang"] == "PT-PT" and payload["source_lang"] == "EN" and payload["tag_handling"] == "html"
    assert payload["text"][0] == "Fish &amp; chips"  # plain text escaped for the HTML batch
    assert result == {"title": "Fisch & Pommes", "summary": "Ein <b>Tag", "description": "<p>Hallo <b>Welt</b></p>"}


@override_settings(EYOS_MT_BACKEND="libretranslate", EYOS_MT_URL="http://mt.internal:5000/", EYOS_MT_API_KEY="")
def test_libretranslate_request_and_answer(wire):
    sent = wire({"translatedText": ["Poisson &amp; frites", "Un jour", "<p>Bonjour</p>"]})
    result = get_backend().translate(FIELDS, source="en", target="fr")
    (request,) = sent
    assert request.full_url == "http://mt.internal:5000/translate"
    payload = json.loads(request.data)
    assert payload["source"] == "en" and payload["target"] == "fr" and payload["format"] == "html"
    assert "api_key" not in payload
    assert result["title"] == "Poisson & frites"


@pytest.mark.parametrize("answer", [b"not json", {"translatedText": ["only one"]}, {"translatedText": [1, 2, 3]},
                                    TranslationError("too slow")])
@override_settings(EYOS_MT_BACKEND="libretranslate", EYOS_MT_URL="http://mt.internal:5000")
def test_garbage_or_failure_is_a_translation_error(wire, answer):
    wire(answer)
    with pytest.raises(TranslationError):
        get_backend().translate(FIELDS, source="en", target="fr")


@override_settings(EYOS_MT_BACKEND="etranslation", EYOS_MT_API_KEY="secret", EYOS_ETRANSLATION_APPLICATION="EYOS",
                   EYOS_MT_URL="")
def test_etranslation_submits_one_snippet_per_field_with_callbacks(wire):
    sent = wire(b"12345")
    backend = get_backend()
    assert backend.asynchronous
    backend.submit(FIELDS, source="en", target="ga", reference="7:sig", callback_url="https://e/cb",
                   error_url="https://e/err")
    assert len(sent) == 3
    first = json.loads(sent[0].data)
    assert sent[0].full_url == "https://webgate.ec.europa.eu/etranslation/si/translate"
    assert first["externalReference"] == "7:sig:title" and first["textToTranslate"] == "Fish & chips"
    assert first["sourceLanguage"] == "EN" and first["targetLanguages"] == ["GA"]
    assert first["requesterCallback"] == "https://e/cb" and first["errorCallback"] == "https://e/err"
    assert first["callerInformation"] == {"application": "EYOS", "username": "EYOS"}


@override_settings(EYOS_MT_BACKEND="etranslation", EYOS_MT_API_KEY="secret", EYOS_ETRANSLATION_APPLICATION="EYOS")
def test_etranslation_negative_request_id_is_an_error(wire):
    wire(b"-20001")
    with pytest.raises(TranslationError):
        get_backend().submit(FIELDS, source="en", target="ga", reference="7:sig", callback_url="x", error_url="y")


@override_settings(EYOS_MT_MAX_BYTES=10, EYOS_MT_TIMEOUT=2)
def test_size_limit_on_answers(monkeypatch):
    import io
    import urllib.request

    class Response(io.BytesIO):
        def __enter__(self):
            return self

        def __exit__(self, *args):
            return False

    monkeypatch.setattr(urllib.request, "urlopen", lambda request, timeout: Response(b"x" * 100))
    with pytest.raises(TranslationError, match="too large"):
        backends._post(urllib.request.Request("http://mt.invalid/"))
