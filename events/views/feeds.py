"""iCal feeds: any filter of the event list, one country, one event."""

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _

from .. import feeds, selectors
from ..filters import EventFilterForm


def _calendar_response(body, filename):
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "public, max-age=900"
    return response


def events_feed(request):
    form = EventFilterForm(request.GET, topic_choices=selectors.topic_choices())
    if not form.is_valid():
        return HttpResponseBadRequest(_("Some filters are not valid."), content_type="text/plain; charset=utf-8")
    events = selectors.feed_events(form.filters())
    calendar = feeds.build_calendar(events, name=_("European Year of Skills: events"))
    return _calendar_response(calendar.to_ical(), "events.ics")


def country_feed(request, country):
    country = country.upper()
    if country not in settings.EYOS_COUNTRIES:
        raise Http404
    from django_countries import countries

    events = selectors.feed_events(selectors.EventFilters(countries=(country,)))
    name = _("European Year of Skills: events in %(country)s") % {"country": countries.name(country)}
    return _calendar_response(feeds.build_calendar(events, name=name).to_ical(), f"{country.lower()}.ics")


def event_ics(request, uid):
    from django.db.models import Prefetch

    from ..models import Event, Topic

    event = (
        selectors.published_events().select_related("organisation")
        .prefetch_related(Prefetch("topics", queryset=Topic.objects.only("name"))).filter(uid=uid).first()
    )
    if event is None:
        raise Http404
    return _calendar_response(feeds.event_ics(event), f"{event.slug[:60] or 'event'}.ics")
