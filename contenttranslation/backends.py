"""Machine-translation backends, chosen by EYOS_MT_BACKEND:

- "" or "none" (default): no machine translation; only organisers' own translations are shown.
- "deepl": the DeepL API (EYOS_MT_API_KEY; EYOS_MT_URL defaults to DeepL's endpoint for the key).
- "libretranslate": a self-hosted LibreTranslate (EYOS_MT_URL, optional EYOS_MT_API_KEY).
- "etranslation": the European Commission's eTranslation service. Asynchronous: the request is
  accepted at once and the translation comes back later as an HTTP POST to our callback URL (one
  per field), so a reader who asks sees "requested" and the text once the callbacks arrived.
- a dotted path to a class with the same interface (tests use a fake one; no network in tests).

Every answer is distrusted as the geocoder's is: a timeout per read and an overall deadline
(EYOS_MT_TIMEOUT), a size limit on what is sent (EYOS_MT_MAX_CHARS) and received
(EYOS_MT_MAX_BYTES), the expected JSON shape, and the description is sanitised again on save."""

import html
import json
import urllib.error
import urllib.request

import nh3
from django.conf import settings
from django.utils.module_loading import import_string

from eyos.http import FetchError, read_bounded

FIELDS = ("title", "summary", "description")
# Title and summary are plain text; the description is the event's (sanitised) HTML.
HTML_FIELDS = {"description"}


class TranslationError(Exception):
    """The backend gave no usable translation (unreachable, slow, refused, garbage)."""


class Backend:
    """The interface. `translate` answers at once (synchronous services); asynchronous ones set
    `asynchronous = True` and implement `submit`, whose answers arrive through a callback."""

    name = "base"
    asynchronous = False

    def translate(self, fields, *, source, target):
        """{field: text} → {field: translated text}, or TranslationError."""
        raise NotImplementedError

    def submit(self, fields, *, source, target, reference, callback_url, error_url):
        raise NotImplementedError


def get_backend():
    """The configured backend, or None when machine translation is off."""
    name = (getattr(settings, "EYOS_MT_BACKEND", "") or "").strip()
    if name in ("", "none"):
        return None
    classes = {"deepl": DeepLBackend, "libretranslate": LibreTranslateBackend, "etranslation": ETranslationBackend}
    return (classes.get(name) or import_string(name))()


def _as_html(fields):
    """Every field as HTML (the services translate a batch with one format): plain text escaped."""
    return [fields[name] if name in HTML_FIELDS else html.escape(fields[name], quote=False) for name in FIELDS]


def _from_html(name, text):
    if name in HTML_FIELDS:
        return text
    return html.unescape(nh3.clean(text, tags=set())).strip()


def _post(request, *, opener=None):
    """The body of a POST within the timeout, the deadline and the size limit."""
    try:
        return read_bounded(request, limit=settings.EYOS_MT_MAX_BYTES, timeout=settings.EYOS_MT_TIMEOUT,
                            opener=opener)
    except FetchError as error:
        raise TranslationError(str(error))


def _json(body):
    try:
        return json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise TranslationError("not JSON")


def _texts(values, expected):
    if not isinstance(values, list) or len(values) != expected or not all(isinstance(v, str) for v in values):
        raise TranslationError("unexpected answer")
    return values


class DeepLBackend(Backend):
    """POST /v2/translate with the three texts in one request, tag_handling=html."""

    name = "deepl"
    # DeepL's target codes where the bare ISO code is ambiguous or refused.
    TARGETS = {"en": "EN-GB", "pt": "PT-PT"}

    def url(self):
        if settings.EYOS_MT_URL:
            return settings.EYOS_MT_URL
        free = settings.EYOS_MT_API_KEY.endswith(":fx")
        return "https://api-free.deepl.com/v2/translate" if free else "https://api.deepl.com/v2/translate"

    def translate(self, fields, *, source, target):
        payload = {"text": _as_html(fields), "source_lang": source.upper(),
                   "target_lang": self.TARGETS.get(target, target.upper()), "tag_handling": "html"}
        request = urllib.request.Request(self.url(), data=json.dumps(payload).encode(), method="POST", headers={
            "Authorization": f"DeepL-Auth-Key {settings.EYOS_MT_API_KEY}",
            "Content-Type": "application/json", "Accept": "application/json",
        })
        data = _json(_post(request))
        try:
            texts = [item["text"] for item in data["translations"]]
        except (KeyError, TypeError):
            raise TranslationError("unexpected answer")
        return {name: _from_html(name, text) for name, text in zip(FIELDS, _texts(texts, len(FIELDS)))}


class LibreTranslateBackend(Backend):
    """POST <EYOS_MT_URL>/translate with q as a list, format=html."""

    name = "libretranslate"

    def translate(self, fields, *, source, target):
        if not settings.EYOS_MT_URL:
            raise TranslationError("no LibreTranslate URL configured")
        payload = {"q": _as_html(fields), "source": source, "target": target, "format": "html"}
        if settings.EYOS_MT_API_KEY:
            payload["api_key"] = settings.EYOS_MT_API_KEY
        request = urllib.request.Request(settings.EYOS_MT_URL.rstrip("/") + "/translate",
                                         data=json.dumps(payload).encode(), method="POST",
                                         headers={"Content-Type": "application/json", "Accept": "application/json"})
        data = _json(_post(request))
        texts = data.get("translatedText") if isinstance(data, dict) else None
        return {name: _from_html(name, text) for name, text in zip(FIELDS, _texts(texts, len(FIELDS)))}


class ETranslationBackend(Backend):
    """The European Commission's eTranslation (text snippets, HTTP Digest authentication with the
    application name and password the Commission issues).

    Request (one per field, JSON POST to EYOS_MT_URL, default the Commission's /si/translate):
        {"priority": 0, "externalReference": "<signed reference>",
         "callerInformation": {"application": <name>, "username": <name>},
         "textToTranslate": "<text>", "sourceLanguage": "DE", "targetLanguages": ["FR"],
         "domain": "GEN", "requesterCallback": "<our callback URL>", "errorCallback": "<ours>"}
    The answer is the request id: a positive number, or a negative error code.
    Later eTranslation POSTs (form-encoded) to requesterCallback: request-id, target-language,
    translated-text, external-reference; or to errorCallback: request-id, error-code,
    error-message, external-reference. The reference is signed by us (contenttranslation.services),
    so a forged callback is refused. Our callback URLs must be reachable from the Commission."""

    name = "etranslation"
    asynchronous = True
    DEFAULT_URL = "https://webgate.ec.europa.eu/etranslation/si/translate"

    def submit(self, fields, *, source, target, reference, callback_url, error_url):
        url = settings.EYOS_MT_URL or self.DEFAULT_URL
        application = settings.EYOS_ETRANSLATION_APPLICATION
        if not (application and settings.EYOS_MT_API_KEY):
            raise TranslationError("eTranslation application name and password are not configured")
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, url, application, settings.EYOS_MT_API_KEY)
        opener = urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(passwords))
        for name in FIELDS:
            if not fields[name]:
                continue
            payload = {
                "priority": 0, "externalReference": f"{reference}:{name}",
                "callerInformation": {"application": application, "username": application},
                "textToTranslate": fields[name], "sourceLanguage": source.upper(), "targetLanguages": [target.upper()],
                "domain": "GEN", "requesterCallback": callback_url, "errorCallback": error_url,
            }
            request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                             headers={"Content-Type": "application/json"})
            answer = _post(request, opener=opener).decode("ascii", "replace").strip()
            try:
                request_id = int(answer)
            except ValueError:
                raise TranslationError("unexpected answer")
            if request_id < 0:
                raise TranslationError(f"eTranslation error {request_id}")
