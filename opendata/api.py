"""The public read API, /api/v1/ (django-ninja: pydantic schemas and the OpenAPI 3 description
come with it). Published events only, nothing about people; the event list's own filters
(events.filters.EventFilterForm, so a filter added to the list is a filter of the API too, and is
documented from the form's field); keyset ("cursor") pagination, stable when events are added;
rate-limited per client; each answer kept in the shared cache until the next write to events."""

import json
from datetime import UTC, datetime
from urllib.parse import urlencode
from typing import Literal

from django import forms
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from ninja import NinjaAPI, Schema
from ninja.errors import ValidationError
from ninja.openapi.docs import DocsBase
from ninja.throttling import BaseThrottle

from events import ratelimit
from events import selectors as event_selectors
from events.cache import cached
from events.filters import EventFilterForm
from events.countries import participating_countries
from contenttranslation.selectors import with_translations
from events.models import Event

from . import records, selectors

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
CACHE_SECONDS = 60  # shared caches and clients may keep an answer this long; ours until the next write


# --- Query parameters: the list's form, plus paging -------------------------------------------------

class EventQueryForm(EventFilterForm):
    """The event list's filters (every field of EventFilterForm, whatever is added to it later),
    with the API's paging."""

    cursor = forms.CharField(required=False, max_length=200, help_text="`next_cursor` of the previous page.")
    limit = forms.IntegerField(required=False, min_value=1, max_value=MAX_LIMIT,
                               help_text=f"Events per page, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT}).")
    lang = forms.ChoiceField(
        required=False, choices=[("", "")] + list(settings.LANGUAGES),
        help_text="Language code (en, fr, de, …): title, summary and description in that language where the "
        "organiser translated the event (`content_language` says which language each event's text is in). "
        "Machine translations are never given.")
    updated_since = forms.DateTimeField(
        required=False, help_text="ISO 8601 date and time, with an offset (UTC without one). Every public event "
        "changed since then, past and coming, cancelled ones included, oldest change first.")

    def clean_updated_since(self):
        value = self.cleaned_data.get("updated_since")
        if value and not (datetime(2000, 1, 1).date() <= value.date() <= datetime(2100, 12, 31).date()):
            raise forms.ValidationError("Choose a moment between 2000 and 2100.")
        return value


class LanguageForm(forms.Form):
    lang = EventQueryForm.base_fields["lang"]


def _errors(form):
    """Field → messages, by the public parameter names (`from`, not `date_from`)."""
    return {EventFilterForm.PARAMETERS.get(name, name): [str(message) for message in messages]
            for name, messages in form.errors.items()}


def _openapi_parameter(name, field):
    """An OpenAPI parameter described from a form field (so new list filters are documented)."""
    schema = {"type": "string"}
    if isinstance(field, forms.MultipleChoiceField):
        choices = [value for value, _label in field.choices if value]
        schema = {"type": "array", "items": {"type": "string", **({"enum": choices} if choices else {})}}
    elif isinstance(field, forms.BooleanField):
        schema = {"type": "boolean"}
    elif isinstance(field, forms.IntegerField):
        schema = {"type": "integer"}
    elif isinstance(field, (forms.FloatField, forms.DecimalField)):
        schema = {"type": "number"}
    elif isinstance(field, forms.DateTimeField):
        schema = {"type": "string", "format": "date-time"}
    elif isinstance(field, forms.DateField):
        schema = {"type": "string", "format": "date"}
    elif isinstance(field, forms.ChoiceField):
        schema = {"type": "string", "enum": [value for value, _label in field.choices if value]}
    for attribute, key in (("min_value", "minimum"), ("max_value", "maximum"), ("max_length", "maxLength")):
        if getattr(field, attribute, None) is not None:
            schema[key] = getattr(field, attribute)
    with translation.override("en"):
        description = str(field.help_text or field.label or name)
    parameter = {"name": name, "in": "query", "required": False, "schema": schema, "description": description}
    if schema["type"] == "array":
        parameter.update(style="form", explode=True)
    return parameter


def query_parameters():
    fields = EventQueryForm.base_fields
    names = {name: EventFilterForm.PARAMETERS.get(name, name) for name in fields}
    documented = []
    for name, field in fields.items():
        parameter = _openapi_parameter(names[name], field)
        if name == "topic":
            parameter["description"] = "Topic slug (see /api/v1/topics); repeat for several."
        elif name == "country":
            parameter["description"] = "ISO 3166-1 alpha-2 code (see /api/v1/countries); repeat for several."
            parameter["schema"]["items"] = {"type": "string", "enum": list(settings.EYOS_COUNTRIES)}
        elif name == "past":
            parameter["description"] = "Past events, latest first, instead of coming ones."
        elif name == "q":
            parameter["description"] = "Free text, as the list's search box."
        documented.append(parameter)
    return documented


# --- Schemas (what the OpenAPI description promises; tests hold the answers to them) ---------------

class Registration(Schema):
    mode: Literal["platform", "external", "none"]
    url: str | None


class Accessibility(Schema):
    step_free_access: bool
    sign_language: bool
    captions: bool
    notes: str


class EventOut(Schema):
    uid: str
    url: str
    title: str
    summary: str
    description: str
    language: str
    content_language: str
    format: Literal["onsite", "online", "hybrid"]
    status: Literal["published", "cancelled"]
    start: datetime
    end: datetime
    timezone: str
    venue: str
    address: str
    city: str
    postcode: str
    country: str
    latitude: float | None
    longitude: float | None
    topics: list[str]
    audience: str
    capacity: int | None
    organisation: str
    registration: Registration
    accessibility: Accessibility
    updated: datetime


class Licensed(Schema):
    license: str
    attribution: str


class EventPage(Licensed):
    results: list[EventOut]
    next_cursor: str | None
    next: str | None


class EventDetail(Licensed):
    event: EventOut


class TopicOut(Schema):
    slug: str
    name: str
    names: dict[str, str]


class TopicList(Licensed):
    results: list[TopicOut]


class CountryOut(Schema):
    code: str
    name: str
    upcoming_events: int


class CountryList(Licensed):
    results: list[CountryOut]


class Error(Schema):
    detail: str
    errors: dict[str, list[str]] | None = None


# --- The API --------------------------------------------------------------------------------------

class ClientThrottle(BaseThrottle):
    """Per client address, in the shared cache (events.ratelimit: the same counters and proxy
    handling as the registration form's)."""

    def allow_request(self, request):
        limit, self.window = settings.EYOS_API_RATE
        return ratelimit.hit("api", ratelimit.client_ip(request), limit=limit, window=self.window)

    def wait(self):
        return getattr(self, "window", None)


class Docs(DocsBase):
    """Swagger UI served from this site (django-ninja's own copy under /static/ninja/), started by a
    script file: no CDN, no inline script, so the site's Content-Security-Policy holds."""

    def render_page(self, request, api, **kwargs):
        return render(request, "opendata/api_docs.html", {
            "openapi_url": self.get_openapi_url(api, kwargs), "license_url": records.LICENSE_URL,
            "license_name": records.LICENSE_NAME,
        })


DESCRIPTION = f"""Published events of the European Year of Skills, in JSON.

* **Licence:** {records.LICENSE_NAME} ({records.LICENSE_URL}). Credit "{records.ATTRIBUTION}" and link
  to the event's `url`. Every answer says so in `license` and in a `Link: <…>; rel="license"` header.
* **Filters:** the same as the event list on the site (`country`, `topic`, `format`, `language`, `from`,
  `to`, `q`, `past`, …), with the same meaning and the same events.
* **Paging:** follow `next` (or pass `next_cursor` as `cursor`) until it is null. Cursors stay valid
  when events are added.
* **Keeping a copy in sync:** ask with `updated_since` (the time of your last sync).
* **Limits:** {{limit}} requests per {{window}} seconds per client address; then 429 with `Retry-After`.
* **Bulk:** the whole dataset, regenerated daily, as JSON-LD (schema.org + SEMIC CPEV) and CSV:
  /data/events.jsonld, /data/events.csv, catalogue record /data/catalog.jsonld (DCAT-AP).
* Any origin may read it from a browser (CORS, no credentials)."""

api = NinjaAPI(
    title="European Year of Skills: events API",
    version="1",
    description=DESCRIPTION.format(limit=settings.EYOS_API_RATE[0], window=settings.EYOS_API_RATE[1]),
    urls_namespace="api-v1",
    docs=Docs(),
    docs_url="/docs",
    openapi_url="/openapi.json",
    throttle=[ClientThrottle()],
    openapi_extra={"info": {"license": {"name": records.LICENSE_NAME, "url": records.LICENSE_URL}}},
)


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    # Bad input is a 400, like the list page's (ninja says 422).
    return _json({"detail": "Invalid request.", "errors": {"request": [str(error) for error in exc.errors]}},
                 status=400)


def read(path, **options):
    """A GET operation, answering HEAD too (left out of the description: HEAD is GET without a
    body)."""

    def decorator(view):
        api.api_operation(["HEAD"], path, include_in_schema=False, operation_id=options["operation_id"] + "_head",
                          url_name=options["operation_id"] + "_head")(view)
        return api.get(path, **options)(view)

    return decorator


def _json(data, status=200):
    body = data if isinstance(data, bytes) else json.dumps(data, ensure_ascii=False).encode()
    response = HttpResponse(body, status=status, content_type="application/json")
    response["Link"] = records.LICENSE_LINK
    if status == 200:
        response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    return response


def _licensed(data):
    return {"license": records.LICENSE_URL, "attribution": records.ATTRIBUTION, **data}


def _bad_request(form):
    return _json({"detail": "Invalid query parameters.", "errors": _errors(form)}, status=400)


@read("/events", response={200: EventPage, 400: Error, 429: Error},
                   openapi_extra={"parameters": query_parameters()}, summary="Published events",
                   operation_id="events_list")
def events_list(request):
    """The event list's events for these filters, a page at a time, in the list's order (soonest
    first; latest first with `past`; oldest change first with `updated_since`)."""
    form = EventQueryForm(request.GET, topic_choices=event_selectors.topic_choices())
    # A moment without an offset is in UTC; messages are in English, whatever the browser asks.
    with timezone.override(UTC), translation.override("en"):
        if not form.is_valid():
            return _bad_request(form)
    filters = form.filters()
    language = form.cleaned_data.get("lang") or ""
    limit = form.cleaned_data.get("limit") or DEFAULT_LIMIT
    cursor = form.cleaned_data.get("cursor") or None
    since = form.cleaned_data.get("updated_since")
    if cursor:
        try:
            selectors.decode_cursor(cursor, selectors.api_order(filters, since))
        except selectors.InvalidCursor:
            with translation.override("en"):
                form.add_error("cursor", "Not a cursor of this query: start again without it.")
                return _bad_request(form)

    def compute():
        page = selectors.event_page(filters, limit=limit, cursor=cursor, updated_since=since)
        next_url = None
        if page.next_cursor:
            params = filters.as_params() + [("limit", limit), ("cursor", page.next_cursor)]
            if language:
                params.append(("lang", language))
            if since:
                params.append(("updated_since", since.isoformat()))
            next_url = f"{settings.SITE_URL}/api/v1/events?{urlencode(params)}"
        body = json.dumps(_licensed({
            "results": [records.event_record(event) for event in with_translations(page.events, language)],
            "next_cursor": page.next_cursor, "next": next_url,
        }), ensure_ascii=False).encode()
        return body, next_url

    # The minute is part of the key: "coming events" move with the clock.
    body, next_url = cached(("api:events", filters, limit, cursor, since, language, _minute()), compute,
                            timeout=CACHE_SECONDS)
    response = _json(body)
    if next_url:
        response["Link"] += f', <{next_url}>; rel="next"'
    return response


def _minute():
    return timezone.now().strftime("%Y%m%d%H%M")


@read("/events/{uuid:uid}", response={200: EventDetail, 400: Error, 404: Error, 429: Error},
      openapi_extra={"parameters": [_openapi_parameter("lang", EventQueryForm.base_fields["lang"])]},
      summary="One published event", operation_id="events_detail")
def events_detail(request, uid):
    form = LanguageForm(request.GET)
    if not form.is_valid():
        return _bad_request(form)
    language = form.cleaned_data.get("lang") or ""

    def compute():
        try:
            event = with_translations([selectors.public_event(uid)], language)[0]
        except Event.DoesNotExist:
            return b""
        return json.dumps(_licensed({"event": records.event_record(event)}), ensure_ascii=False).encode()

    body = cached(("api:event", uid, language), compute, timeout=3600)
    if not body:
        return _json({"detail": "No published event has this uid."}, status=404)
    return _json(body)


@read("/topics", response={200: TopicList, 429: Error}, summary="Topics",
                   operation_id="topics_list")
def topics_list(request):
    """Every topic: its slug (the `topic` filter), its English name and its name in each language."""
    body = cached(("api:topics",), lambda: json.dumps(_licensed({"results": selectors.topics()}),
                                                       ensure_ascii=False).encode())
    return _json(body)


@read("/countries", response={200: CountryList, 429: Error},
                   summary="Participating countries", operation_id="countries_list")
def countries_list(request):
    """The participating countries (the `country` filter), in English, with their number of coming
    events."""

    def compute():
        counts = selectors.upcoming_counts_by_country()
        with translation.override("en"):
            countries = [{"code": code, "name": str(name), "upcoming_events": counts.get(code, 0)}
                         for code, name in participating_countries()]
        return json.dumps(_licensed({"results": countries}), ensure_ascii=False).encode()

    return _json(cached(("api:countries", _minute()), compute, timeout=CACHE_SECONDS))
