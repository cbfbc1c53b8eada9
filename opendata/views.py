"""The open dataset's stable URLs and the embeddable event list. Thin: the files are written by
the daily task (opendata.dataset), the widget's events come from the event list's selectors."""

import json

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.http import http_date
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_safe

from events import selectors as event_selectors
from events.cache import cache_key
from events.filters import EventFilterForm

from . import dataset, records

DATA_MAX_AGE = 3600


@require_safe
def data_file(request, kind):
    if kind not in dataset.FORMATS:
        raise Http404
    found = dataset.current_file(kind)
    if found is None:
        raise Http404("The dataset has not been generated yet.")
    response = FileResponse(default_storage.open(found.name, "rb"),
                            content_type=dataset.FORMATS[kind]["media_type"] + "; charset=utf-8")
    response["Content-Length"] = found.size
    response["Last-Modified"] = http_date(found.generated.timestamp())
    response["Cache-Control"] = f"public, max-age={DATA_MAX_AGE}"
    response["Link"] = records.LICENSE_LINK
    response["Content-Disposition"] = f'inline; filename="eyos-events.{kind}"'
    return response


@require_safe
def catalogue(request):
    files = {kind: dataset.current_file(kind) for kind in dataset.FORMATS}
    record = dataset.catalogue_record(files, base_url=settings.SITE_URL)
    response = HttpResponse(json.dumps(record, ensure_ascii=False, indent=1),
                            content_type="application/ld+json; charset=utf-8")
    response["Cache-Control"] = f"public, max-age={DATA_MAX_AGE}"
    response["Link"] = records.LICENSE_LINK
    return response


EMBED_SIZE = 10
# Other sites may frame this page (and only this one): the site's policy, with any ancestor.
EMBED_CSP = {**settings.SECURE_CSP, "frame-ancestors": ["*"]}


@require_safe
@xframe_options_exempt
@csp_override(EMBED_CSP)
def embed_events(request):
    """A compact list of the next events for partners' sites: every filter of the list
    (`country`, `topic` …), in the language of `lang`. Links open the event on this site in a new
    tab. No cookie, no form, no script."""
    language = request.GET.get("lang", "")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    with translation.override(language):
        form = EventFilterForm(request.GET, topic_choices=event_selectors.topic_choices())
        if not form.is_valid():
            body = render_to_string("opendata/embed.html", {"invalid": True, "language": language})
            return _embed_response(body, status=400)
        filters = form.filters()

        def draw():
            search = event_selectors.event_search(filters)
            events = list(search.events[:EMBED_SIZE])
            return render_to_string("opendata/embed.html", {
                "events": events, "total": search.facets["total"], "language": language,
                "list_url": settings.SITE_URL + _list_path(filters),
            }), search.current

        minute = timezone.now().strftime("%Y%m%d%H%M")
        key = cache_key(("embed", filters, language, minute))
        body = cache.get(key) if key else None
        if body is None:
            body, current = draw()
            if key and current:  # not counts shown while new ones are counted
                cache.set(key, body, 60)
    return _embed_response(body)


def _list_path(filters):
    from urllib.parse import urlencode

    from django.urls import reverse

    params = filters.as_params()
    return reverse("events:list") + ("?" + urlencode(params) if params else "")


def _embed_response(body, status=200):
    response = HttpResponse(body, status=status)
    if status == 200:
        response["Cache-Control"] = "public, max-age=60"
    return response
