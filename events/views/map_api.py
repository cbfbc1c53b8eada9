"""The map's data: GeoJSON for a bounding box and zoom, with every filter of the event list.

    GET /api/map/events?bbox=west,south,east,north&zoom=Z[&lang=xx][&<list filters>]

Thin: parse and validate the box, zoom and filters (any bad value is a 400 with a JSON
{"error": …}, never a 5xx), then one selector (events.selectors.map_geojson) that clusters in the
database and caches the answer until the next write. Visitors who are not signed in get whole
answers from the page cache (events.pagecache), as the list's pages."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from .. import geo, pagecache, selectors
from ..filters import EventFilterForm

MAX_AGE = 60  # as the list's
# What the answer depends on in the query string (for the page cache: others are dropped).
PARAMETERS = ("bbox", "zoom", "lang") + tuple(EventFilterForm.PARAMETERS.get(name, name)
                                              for name in EventFilterForm.base_fields)


def _error(message, **extra):
    return JsonResponse({"error": message, **extra}, status=400)


@require_safe
@pagecache.anonymous_page("map", params=PARAMETERS, per_event=True)
def map_events(request):
    language = request.GET.get("lang") or translation.get_language() or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        return _error("lang: expected one of the site's languages")
    try:
        box = geo.BoundingBox.parse(request.GET.get("bbox"))
        zoom = geo.parse_zoom(request.GET.get("zoom"))
    except geo.CoordinateError as error:
        return _error(str(error))
    with translation.override(language):
        form = EventFilterForm(request.GET, topic_choices=selectors.topic_choices())
        if not form.is_valid():
            fields = {EventFilterForm.PARAMETERS.get(name, name): [str(message) for message in messages]
                      for name, messages in form.errors.items()}
            return _error("Some filters are not valid.", fields=fields)
        body = selectors.map_geojson(form.filters(), box, zoom)
    response = HttpResponse(body, content_type="application/geo+json")
    # The same for everyone who asks (nothing personal): shared caches may keep it briefly.
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response
