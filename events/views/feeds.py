"""iCal feeds: any filter of the event list, one country, one event, and a personal feed of one's
registrations. Conditional GETs answer 304 from the ETag after at most two queries."""

import gzip
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from eyos.headers import no_referrer

from contenttranslation.selectors import with_translations

from .. import feeds, pagecache, selectors
from ..criteria import EventFilters, describe
from ..filters import EventFilterForm

FEED_MAX_AGE = 900  # seconds; calendar clients poll far less often anyway
BODY_TTL = 6 * 3600


def _language(request):
    """Names and descriptions follow ?lang= (as the subscribe page writes it), else English."""
    language = request.GET.get("lang", settings.LANGUAGE_CODE)
    return language if language in dict(settings.LANGUAGES) else None


def accepts_gzip(request):
    """Whether Accept-Encoding allows gzip (and does not refuse it with q=0)."""
    for part in request.META.get("HTTP_ACCEPT_ENCODING", "").split(","):
        coding, _sep, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "x-gzip"):
            quality = params.strip().lower().removeprefix("q=")
            try:
                return not params.strip() or float(quality) > 0
            except ValueError:
                return False
    return False


def _respond(request, *, identity, validator, render, filename):
    """ETag from what the feed is (identity) and the state of its events (validator); 304 when the
    client has it; otherwise the body, cached under its ETag for every app server."""
    from datetime import UTC, datetime

    from ..cache import labels_changed_at

    last_modified, count = validator
    # A renamed topic or organisation changes the feed without touching its events.
    labels = datetime.fromtimestamp(labels_changed_at(), tz=UTC)
    last_modified = max(last_modified, labels) if last_modified else labels
    stamp = last_modified.isoformat()
    day = timezone.now().date().isoformat()  # the window moves daily
    # Weak: the gzip and the identity encodings of one body share it (RFC 9110 8.8.1).
    etag = 'W/"' + hashlib.sha256(f"{feeds.CACHE_VERSION}|{identity}|{stamp}|{count}|{day}".encode()).hexdigest()[:32] + '"'
    last_modified_ts = int(last_modified.timestamp()) if last_modified else None
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified_ts)
    if not_modified is None:
        key = f"eyos:feed:gz:{etag}"
        compressed = cache.get(key)
        if compressed is None:
            # Kept gzipped (a 10,000-event feed: 7.6 MB, 0.66 MB gzipped), in the cache and on the wire.
            compressed = gzip.compress(render(), compresslevel=5, mtime=0)
            cache.set(key, compressed, BODY_TTL)
        if accepts_gzip(request):
            response = HttpResponse(compressed, content_type="text/calendar; charset=utf-8")
            response["Content-Encoding"] = "gzip"
        else:
            response = HttpResponse(gzip.decompress(compressed), content_type="text/calendar; charset=utf-8")
    else:
        response = not_modified
    patch_vary_headers(response, ["Accept-Encoding"])
    response["ETag"] = etag
    if last_modified_ts:
        response["Last-Modified"] = http_date(last_modified_ts)
    response["Cache-Control"] = f"public, max-age={FEED_MAX_AGE}"
    response["Content-Disposition"] = feeds.content_disposition(filename)
    return response


def _bad_request(message):
    return HttpResponseBadRequest(message + "\n", content_type="text/plain; charset=utf-8")


@pagecache.feed_not_modified
@require_safe
def events_feed(request):
    language = _language(request)
    if language is None:
        return _bad_request("Unknown language in ?lang=")
    with translation.override(language):
        topics = selectors.topic_choices()
        form = EventFilterForm(request.GET, topic_choices=topics)
        if not form.is_valid():
            return _bad_request(_("Some filters are not valid.") + " " + form.errors.as_text())
        filters = form.filters()

        def render():
            return feeds.render_calendar(
                with_translations(selectors.feed_events(filters), language), name=describe(filters, dict(topics)),
                description=feed_description(), language=language, topic_names=selectors.topic_names_by_key(),
            )

        return _respond(request, identity=f"events|{language}|{filters.as_params()}",
                        validator=selectors.feed_validator(filters), render=render, filename="events.ics")


@pagecache.feed_not_modified
@require_safe
def country_feed(request, country):
    code = country.upper()
    if code not in settings.EYOS_COUNTRIES:
        raise Http404
    language = _language(request)
    if language is None:
        return _bad_request("Unknown language in ?lang=")
    filters = EventFilters(countries=(code,))
    with translation.override(language):
        def render():
            return feeds.render_calendar(
                with_translations(selectors.feed_events(filters), language), name=describe(filters, {}),
                description=feed_description(),
                language=language, topic_names=selectors.topic_names_by_key(),
            )

        return _respond(request, identity=f"country|{language}|{code}", validator=selectors.feed_validator(filters),
                        render=render, filename=f"{code.lower()}.ics")


@pagecache.feed_not_modified
@require_safe
def event_ics(request, uid):
    from django.db.models import Prefetch

    from ..models import Topic

    event = (
        selectors.published_events().select_related("organisation")
        .prefetch_related(Prefetch("topics", queryset=Topic.objects.only("name", "translation_key")))
        .filter(uid=uid).first()
    )
    if event is None:
        raise Http404
    # ?lang=: the organiser's translation into that language, when there is one.
    language = request.GET.get("lang", "")
    if language not in dict(settings.LANGUAGES):
        language = event.language
    return _respond(request, identity=f"event|{event.pk}|{language}", validator=(event.updated_at, event.sequence),
                    render=lambda: feeds.event_ics(with_translations([event], language)[0]),
                    filename=feeds.ics_filename(event))


@require_safe
@no_referrer
def personal_feed(request, token):
    """One's own registrations; waiting-list and unconfirmed places are TENTATIVE."""
    from ..models import Registration

    registrations = selectors.personal_feed_registrations(token)
    if registrations is None:
        raise Http404
    events = [registration.event for registration in registrations]
    tentative = {Registration.Status.WAITLISTED, Registration.Status.PENDING}
    statuses = {r.event.pk: "TENTATIVE" for r in registrations
                if r.status in tentative and r.event.status != r.event.Status.CANCELLED}
    body = feeds.render_calendar(events, name=_("My registrations – European Year of Skills"),
                                 description=feed_description(), statuses=statuses,
                                 topic_names=selectors.topic_names_by_key())
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    response = get_conditional_response(request, etag=etag) or HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["ETag"] = etag
    # Personal: shared caches must not keep it.
    response["Cache-Control"] = f"private, max-age={FEED_MAX_AGE}"
    response["Content-Disposition"] = 'inline; filename="my-registrations.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response


def feed_description():
    return _("Events of the European Year of Skills. The calendar updates itself when events change.")
