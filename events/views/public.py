"""Citizens' pages: the event list with its filters, the event page, registration and
cancellation. Thin: validate input, call one selector or service, render."""

import functools
import json
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods, require_POST

from coordinators import permissions
from eyos.headers import no_referrer
from eyos.secret_links import stash_secret, stashed_secret

from .. import feeds, maps, pagecache, ratelimit, selectors, services
from ..criteria import EventFilters, describe
from ..filters import EventFilterForm, EventListForm
from ..forms import AccountRegistrationForm, RegistrationForm
from ..models import Event, Registration
from .common import too_many_requests

PAGE_SIZE = 20
# What the list depends on in its query string (for the page cache: other parameters are dropped).
LIST_PARAMETERS = tuple(EventFilterForm.PARAMETERS.get(name, name) for name in EventListForm.base_fields) + ("page",)
# As django.utils.html.json_script: nothing in the data can end or confuse the <script> element.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


class CountedPaginator(Paginator):
    """A paginator given the number of objects, counted elsewhere. A page holds the rows there
    are, even beyond that number: counts shown while another process counts the new ones are the
    last ones (events.selectors.EventSearch.current), and an event added since must not fall off
    the page."""

    def __init__(self, object_list, per_page, *, count, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.known_count = count

    @property
    def count(self):
        return self.known_count

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(self.object_list[bottom:bottom + self.per_page], number, self)


@maps.shows_map(geolocation=True)
@pagecache.anonymous_page("list", params=LIST_PARAMETERS, per_event=True)
def event_list(request):
    # The list itself (filters, results, facets) is the same for everyone who asks for the same
    # page: signed-in visitors share it too, drawn around their own header.
    part = pagecache.shared_part(request, "list", lambda: _list_part(request), params=LIST_PARAMETERS, per_event=True)
    response = _list_page(request, part)
    if not request.user.is_authenticated and part["status"] == 200 and part.get("current", True):
        # The list holds no form that posts and nothing personal for visitors who are not signed
        # in: shared caches may keep it for a minute (Vary: Cookie; the language is in the URL).
        patch_cache_control(response, public=True, max_age=LIST_MAX_AGE)
    return response


def _list_page(request, part):
    return render(request, "events/list.html", {"list_body": part["html"], "feed_url": part["feed_url"]},
                  status=part["status"])


def _list_body(request, context, status=200):
    """The list's own part of the page, drawn for the page cache's shared parts."""
    return {"html": render_to_string("events/_list_body.html", context, request), "status": status,
            "feed_url": context.get("feed_url"), "current": not getattr(request, "_eyos_dont_keep", False)}


def _list_part(request):
    from .. import list_ux

    topics = selectors.topic_choices()
    form = EventListForm(request.GET, topic_choices=topics)
    if not form.is_valid():
        # The form again, with its errors and every option (counted without filters).
        search = selectors.event_search(EventFilters())
        if not search.current:  # the last counts while new ones are counted: not kept either
            pagecache.dont_keep(request)
        facets = _facet_options(form, search.facets, topics)
        return _list_body(request, {
            "form": form, "page": None, "invalid": True, "facets": facets, "filters": EventFilters(),
        }, status=400)
    filters = form.filters()
    sort = form.ordering()
    search = selectors.event_search(filters, sort=form.cleaned_data.get("sort") or "")
    if not search.current:  # the counts are the last ones while new ones are counted: not kept
        pagecache.dont_keep(request)
    # Counted (and cached) with the facets: the paginator need not count again.
    paginator = CountedPaginator(search.events, PAGE_SIZE, count=search.facets["total"])
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = selectors.with_images(selectors.with_places_taken(page.object_list))
    # Organisers' own translations into the reader's language, in place of the text (one query).
    from contenttranslation.selectors import with_translations

    page.object_list = selectors.with_topic_labels(with_translations(page.object_list, translation.get_language()))
    from contenttranslation.backends import get_backend
    for event in page.object_list:
        event.places_left = selectors.places_left(event)
    params = filters.as_params()
    facets = _facet_options(form, search.facets, topics)
    pairs = list_ux.query_pairs(request, LIST_PARAMETERS)
    chosen_sort = form.cleaned_data.get("sort") or ""
    return _list_body(request, {
        "form": form,
        "filters": filters,
        "page": page,
        "facets": facets,
        # The order is the list's own: in its links (pages, chips), not in feeds nor subscriptions.
        "query_string": urlencode(params + ([("sort", chosen_sort)] if chosen_sort else [])),
        "sort": sort,
        "chosen_sort": chosen_sort,
        "sort_choices": [(value, label) for value, label in form.fields["sort"].choices
                         if value and (filters.near or value != EventListForm.SORT_NEAREST)],
        "sort_kept": [(name, value) for name, value in pairs if name not in ("sort", "page")],
        "chips": list_ux.filter_chips(pairs, form, topics=topics,
                                      countries=[(code, name) for code, name, *_rest in facets["country"]]),
        "quick_dates": list_ux.quick_dates(pairs, filters),
        "feed_url": reverse("feeds:events") + "?" + urlencode(params + [("lang", translation.get_language())]),
        "subscribe_url": reverse("events:subscribe") + ("?" + urlencode(params) if params else ""),
        "machine_translation": get_backend() is not None,  # "Show in <language>" on the cards
        "event_map": maps.map_attributes(kind="list", id="events-map", skip_to="event-results",
                                         bbox=maps.country_bbox(filters.countries[0]) if len(filters.countries) == 1
                                         else maps.EUROPE_BBOX) if maps.map_enabled() else None,
    })


LIST_MAX_AGE = 60


def near_place(request):
    """The list's "near a place" button: a typed town or city becomes the list's `near` filter
    (selectors.place_point), the other filters kept. An unknown place says so on the list."""
    from .. import geo

    kept = [(name, value) for name, values in request.GET.lists() if name in LIST_PARAMETERS
            and name not in ("page", "near") for value in values]
    place = " ".join(request.GET.get("place", "").split())[:120]
    if place:
        point = selectors.place_point(place)
        if point is None:
            messages.warning(request, _("No events are known in “%(place)s”. Try a nearby town or city, or use "
                                        "your location.") % {"place": place})
        else:
            kept.append(("near", ",".join(geo.format_number(value) for value in point)))
            if not any(name == "within" and value for name, value in kept):
                kept = [(name, value) for name, value in kept if name != "within"]
                kept.append(("within", str(geo.DEFAULT_WITHIN_KM)))
    return redirect(reverse("events:list") + ("?" + urlencode(kept) if kept else ""))


def subscribe(request):
    """For partners: the current filters as a calendar subscription, for every kind of client."""
    topics = selectors.topic_choices()
    form = EventFilterForm(request.GET, topic_choices=topics)
    if not form.is_valid():
        return _list_page(request, _list_body(request, {"form": form, "page": None, "invalid": True}, status=400))
    filters = form.filters()
    params = filters.as_params() + [("lang", translation.get_language())]
    feed_url = request.build_absolute_uri(reverse("feeds:events") + "?" + urlencode(params))
    webcal_url = "webcal://" + feed_url.split("://", 1)[1]
    title = describe(filters, dict(topics))
    return render(request, "events/subscribe.html", {
        "filters": filters,
        "title": title,
        "feed_url": feed_url,
        "webcal_url": webcal_url,
        "google_url": "https://calendar.google.com/calendar/render?" + urlencode({"cid": webcal_url}),
        "outlook_url": "https://outlook.live.com/calendar/0/addfromweb?" + urlencode({"url": feed_url, "name": title}),
        "list_url": reverse("events:list") + ("?" + urlencode(filters.as_params()) if filters.as_params() else ""),
    })


def _facet_options(form, facets, topics):
    """For each multiple-choice filter, its options with how many events each would give."""
    from ..countries import participating_countries

    selected = getattr(form, "cleaned_data", {})
    countries, topic_slugs = selected.get("country") or (), selected.get("topic") or ()
    return {
        "country": [(code, name, facets["country"].get(code, 0), code in countries)
                    for code, name in participating_countries()],
        "topic": [(slug, name, facets["topic"].get(slug, 0), slug in topic_slugs) for slug, name in topics],
        "format": [(value, label, facets["format"].get(value, 0), value == selected.get("format"))
                   for value, label in Event.Format.choices],
        "language": [(code, name, facets["language"].get(code, 0), code == selected.get("language"))
                     for code, name in settings.LANGUAGES if facets["language"].get(code)],
    }


def _public_event(uid):
    try:
        return selectors.event_detail(uid)
    except Event.DoesNotExist:
        raise Http404


# Kept under its event's registrations version, not the data version: a registration for another
# event leaves this page cached (selectors.event_detail names the event's registrations).
@pagecache.anonymous_page("event", params=("lang",), per_event=True)
def event_detail(request, uid, form=None, status=200):
    event = _public_event(uid)
    context = event_page_context(request, event, form=form)
    response = render(request, "events/detail.html", context, status=status)
    if context["content"].state in ("offer", "pending", "failed"):
        patch_cache_control(response, private=True)  # changes as soon as the translation is back
    return response


@login_required
def event_preview(request, uid):
    """The event's page as visitors will see it once it is published, for its organisation's
    members only (a draft is not public): the public page's template, without registration.
    Routed under /organise/ (events/urls.py)."""
    try:
        event = selectors.event_detail(uid, events=permissions.organiser_events(request.user))
    except Event.DoesNotExist:
        raise Http404 from None
    context = event_page_context(request, event, preview=True)
    context["can_edit"] = services.organiser_may_edit(event)
    response = render(request, "events/detail.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    patch_cache_control(response, private=True, no_store=True)
    return response


def event_page_context(request, event, *, form=None, preview=False):
    """What the event page shows. The organiser's preview (preview=True) is the same page for an
    event that is not public yet: no registration, nothing for search engines or sharing."""
    from contenttranslation.selectors import event_content, offers_translation

    # ?lang=: the event's text in another language (the organiser's translation, else a machine
    # translation once asked for), never in place of the original, which stays one link away.
    content = event_content(event, None if preview else request.GET.get("lang"))
    reader_language = translation.get_language()
    selectors.with_topic_labels([event])
    places_left = selectors.places_left(event)
    picture = selectors.page_picture(event)
    own = None
    if request.user.is_authenticated and not preview:
        own = permissions.own_registrations(request.user).filter(event=event, status__in=Registration.ACTIVE).first()
    return {
        "event": event,
        "preview": preview,
        "content": content,
        "original_url": reverse("events:detail", kwargs={"uid": event.uid}),
        "translate_into": reader_language if not preview and not content.requested and reader_language != event.language
        and offers_translation(event, reader_language) else "",
        "places_left": places_left,
        "full": places_left == 0,
        "closed_reason": services.registration_closed_reason(event),
        "own_registration": own,
        "join_link": event.join_link_for(own),
        "form": form or (AccountRegistrationForm() if request.user.is_authenticated else RegistrationForm()),
        # A guest's empty form is the same for every event in a language: drawn once per process.
        "blank_form_html": "" if form or request.user.is_authenticated else blank_registration_form(reader_language),
        "ics_url": reverse("feeds:event", kwargs={"uid": event.uid}),
        "google_url": google_calendar_link(event, request),
        "outlook_url": outlook_link(event, request),
        "picture": picture,
        "picture_url": request.build_absolute_uri(picture.url) if picture else "",
        "json_ld": "" if preview else json.dumps(
            schema_org(event, request, picture), ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES),
        "absolute_url": request.build_absolute_uri(),
        **pagecache.csrf_context(request),
    }


@functools.lru_cache(maxsize=64)
def blank_registration_form(language):
    """The HTML of an empty guest registration form in `language` (the fields only: the page adds
    the CSRF token and the buttons). Forms and translations change only with a release."""
    with translation.override(language):
        return render_to_string("events/organise/_form.html", {"form": RegistrationForm()})


def google_calendar_link(event, request):
    fmt = "%Y%m%dT%H%M%SZ"
    return "https://calendar.google.com/calendar/render?" + urlencode({
        "action": "TEMPLATE",
        "text": event.title,
        "dates": f"{event.start.astimezone(timezone.UTC).strftime(fmt)}/{event.end.astimezone(timezone.UTC).strftime(fmt)}",
        "details": f"{event.summary}\n\n{request.build_absolute_uri()}",
        "location": feeds.location(event),
        "ctz": event.timezone,
    })


def outlook_link(event, request):
    return "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode({
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": event.title,
        "startdt": event.start.isoformat(),
        "enddt": event.end.isoformat(),
        "body": f"{event.summary}\n\n{request.build_absolute_uri()}",
        "location": feeds.location(event),
    })


def schema_org(event, request, picture=None):
    attendance = {
        "onsite": "https://schema.org/OfflineEventAttendanceMode",
        "online": "https://schema.org/OnlineEventAttendanceMode",
        "hybrid": "https://schema.org/MixedEventAttendanceMode",
    }[event.format]
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "description": event.summary,
        "startDate": event.start.astimezone(event.tzinfo).isoformat(),
        "endDate": event.end.astimezone(event.tzinfo).isoformat(),
        "eventStatus": "https://schema.org/EventCancelled" if event.status == Event.Status.CANCELLED
        else "https://schema.org/EventScheduled",
        "eventAttendanceMode": attendance,
        "inLanguage": event.language,
        "url": request.build_absolute_uri(),
        "organizer": {"@type": "Organization", "name": event.organisation.name},
        "isAccessibleForFree": True,
    }
    if picture:
        data["image"] = [request.build_absolute_uri(picture.url)]
    locations = []
    if event.format != "online":
        locations.append({
            "@type": "Place", "name": event.venue or event.city,
            "address": {"@type": "PostalAddress", "streetAddress": event.address, "addressLocality": event.city,
                        "postalCode": event.postcode, "addressCountry": event.country.code},
        })
    if event.format != "onsite":
        # The join link is for registrants; the public learns where to register.
        locations.append({"@type": "VirtualLocation", "url": request.build_absolute_uri()})
    data["location"] = locations[0] if len(locations) == 1 else locations
    return data


def _rate_limited(request):
    limit, window = settings.EYOS_REGISTRATION_RATE["ip"]
    return not ratelimit.hit("register-ip", ratelimit.client_ip(request), limit=limit, window=window)


def _rate_limited_email(email):
    limit, window = settings.EYOS_REGISTRATION_RATE["email"]
    return not ratelimit.hit("register-email", email, limit=limit, window=window)


@require_http_methods(["GET", "HEAD", "POST"])
def register(request, uid):
    if request.method != "POST":
        # A reload or a shared address of the form's target: the event's page has the form.
        return redirect("events:detail", uid=uid)
    event = _public_event(uid)
    language = translation.get_language()
    if request.user.is_authenticated:
        form = AccountRegistrationForm(request.POST)
        if _rate_limited(request) or _rate_limited_email(request.user.email.lower()):
            return too_many_requests(request)
        if not form.is_valid():
            return event_detail(request, uid, form=form, status=400)
        try:
            registration = services.registration_create(
                event=event, name=request.user.get_full_name() or request.user.email.split("@")[0],
                email=request.user.email, consent=True, language=language, user=request.user,
            )
        except services.AlreadyRegistered:
            messages.info(request, _("You are already registered for this event."))
        except services.RegistrationClosed as error:
            messages.error(request, str(error))
        else:
            if registration.status == Registration.Status.CONFIRMED:
                messages.success(request, _("Your place is confirmed. We have sent you an email with the details."))
            else:
                messages.success(request, _("The event is full: you are on the waiting list. We will email you if a place frees up."))
        return redirect("events:detail", uid=event.uid)

    form = RegistrationForm(request.POST)
    if _rate_limited(request):
        return too_many_requests(request)
    if not form.is_valid():
        return event_detail(request, uid, form=form, status=400)
    # Counted on the address as it will be used (normalised), so spaces or case cannot dodge it.
    if _rate_limited_email(form.cleaned_data["email"].strip().lower()):
        return too_many_requests(request)
    email = form.cleaned_data["email"]
    if not form.is_bot():
        try:
            services.registration_create(
                event=event, name=form.cleaned_data["name"], email=email, consent=True, language=language,
            )
        except services.AlreadyRegistered as error:
            # The same answer as for a new registration (nobody learns who is registered); the
            # email tells the address holder that they already have a place.
            services.registration_remind_existing(registration=error.registration)
        except services.RegistrationClosed as error:
            messages.error(request, str(error))
            return redirect("events:detail", uid=event.uid)
    return render(request, "events/registration_check_email.html", {"event": event, "email": email})


def _token_page(request, token, action):
    try:
        return services.registration_from_token(token, action), None
    except services.InvalidToken:
        return None, render(request, "events/registration_invalid_link.html", status=400)


def _confirm(request, registration):
    try:
        registration = services.registration_confirm(registration=registration)
    except services.InvalidToken:
        return render(request, "events/registration_invalid_link.html", status=400)
    except services.RegistrationClosed as error:
        return render(request, "events/registration_done.html", {"registration": registration, "error": str(error)})
    return render(request, "events/registration_done.html", {"registration": registration})


def _cancel(request, registration):
    registration = services.registration_cancel(registration=registration, by_token=True)
    return render(request, "events/registration_cancelled.html", {"registration": registration})


ACTIONS = {"confirm": (_confirm, "events/registration_confirm.html"),
           "cancel": (_cancel, "events/registration_cancel.html")}


@no_referrer
def registration_link(request, token, action):
    """The link from an email. It changes nothing on GET (link scanners follow links): it checks
    the token, keeps it in the session and redirects to the page without it, whose button acts.
    A POST straight to the link acts (as the page's form did before)."""
    registration, error_page = _token_page(request, token, action)
    if error_page:
        return error_page
    if request.method == "POST":
        return ACTIONS[action][0](request, registration)
    # Kept per registration: two links opened in one browser each act on their own registration.
    stash_secret(request, f"registration-{action}-{registration.pk}", token)
    return redirect(f"events:registration_{action}_page", pk=registration.pk)


def registration_page(request, action, pk):
    token = stashed_secret(request, f"registration-{action}-{pk}")
    registration, error_page = _token_page(request, token, action)
    if error_page:
        return error_page
    if registration.pk != pk:  # cannot happen with our own stash; never act on another one
        return render(request, "events/registration_invalid_link.html", status=400)
    if request.method == "POST":
        return ACTIONS[action][0](request, registration)
    return render(request, ACTIONS[action][1], {"registration": registration})


@login_required
def my_registrations(request):
    if request.method == "POST" and request.POST.get("action") == "renew-feed":
        services.personal_feed_renew(user=request.user)
        messages.success(request, _("Your calendar link is renewed. The old link no longer works."))
        return redirect("events:my_registrations")
    token = services.personal_feed_token(user=request.user)
    feed_url = request.build_absolute_uri(reverse("feeds:personal", kwargs={"token": token}))
    return render(request, "events/my_registrations.html", {
        "registrations": selectors.my_registrations(request.user),
        "feed_url": feed_url,
        "webcal_url": "webcal://" + feed_url.split("://", 1)[1],
    })


@login_required
@require_POST
def my_registration_cancel(request, pk):
    registration = get_object_or_404(permissions.own_registrations(request.user), pk=pk)
    services.registration_cancel(registration=registration, user=request.user)
    messages.success(request, _("Your registration is cancelled."))
    return redirect("events:my_registrations")
