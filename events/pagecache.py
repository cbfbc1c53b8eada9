"""Whole responses kept in the shared cache (Redis), for requests whose answer is the same for
everyone who makes them:

- pages for visitors who are not signed in: the event list (any filters), the event page, the
  map's answers and every Wagtail page (campaigns.views.serve, ahead of Wagtail's routing)
  (`anonymous_page`, `serve_anonymous`);
- conditional GETs of the public iCal feeds, answered 304 without the database
  (`feed_not_modified`);
- parts of pages that are the same for every visitor, signed in or not (the event list's filters
  and results: `shared_part`);
- a signed-in user's own copy of a back-office page that is costly to draw and changes only with
  the data (the coordinators' dashboards, `personal_page`), for that user alone.

Correctness rests on versions kept in the shared cache, read before a response is built and
stored with it; an entry is used only while they are all still current:

- the data version (events.cache): every write to an event, registration, topic or organisation
  bumps it (events/apps.py), and, from here, again once that write is committed: a response built
  between the first bump and the commit read the old rows under the new version;
- the pages version (here): every write to a Wagtail page, revision, site, locale, image or
  document bumps it, at once and on commit (home page content; every page's header and footer);
- for feeds, the time topics and organisations were last renamed (events.cache.labels_changed_at)
  and the day, which are part of the feeds' ETags;
- for personal pages, also the people version (here): every write to users, groups, permissions,
  coordinators' assignments or admin profiles (language, time zone) bumps it;
- for the pages that show place counts (an event's page, the list, the map's answers: drawn
  `per_event`), the events version in place of the data version, and the registrations
  version of each event whose registrations the drawing read (events.cache.registrations_key;
  every write to one of its registrations bumps it, here, at once and on commit): a
  registration for one event leaves every page that does not show it cached. Such a drawing
  names those events (`reading_registrations`); one that reads registrations any other way, or
  a value kept under the data version, is not kept. A registrations version is started (when no
  registration has yet) with the first page kept under it, so a kept page never holds a missing
  one: a version evicted or expired later never matches. While a release that does not bump these
  versions still serves registrations (a rolling deploy from before them), pages may show a count
  up to PAGE_TTL old.

Wagtail pages (campaigns.views) are the exception: their copies are kept under the pages version
alone, because the only event data they show is in parts drawn into every response under the data
version, or the events version for parts that show no place counts (`hole`, the "upcoming events"
blocks, `hole_drawer(…, events_only=True)`); event data put on a campaign page in any other way
would be up to PAGE_TTL old.

When the cache cannot be reached there is no version: nothing is stored or served from the cache
and every request takes the database path as before.

What is never shared: a page for a request that carries any cookie other than the CSRF and
language cookies (a session: signed in, messages, a stashed link), any response that set a cookie,
touched the session, queued a message, used the CSP nonce, set Vary on anything but Cookie, or is
marked private. Forms' CSRF tokens: a page rendered for the cache holds a placeholder where the
token goes (views add `csrf_context(request)` to their context), and every response made from it,
the first one included, gets the requesting visitor's own token (`get_token`, which also sets the
visitor's CSRF cookie as an uncached page would). A page whose rendering used a real token is not
stored.

Time also changes pages (an event ends, registration closes): entries live PAGE_TTL seconds
(EYOS_PAGE_CACHE_SECONDS, default 60, the list's public max-age). EYOS_PAGE_CACHE turns the page
cache off or on (default: on unless DEBUG, so templates being edited show at once).
"""

import contextlib
import contextvars
import hashlib
import secrets
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse, HttpResponseNotModified, QueryDict
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags
from django.utils.safestring import mark_safe

from .cache import REGISTRATIONS_SECONDS, EVENTS_KEY, LABELS_KEY, _digest, bump, bump_data_version, bump_events_version
from .cache import KEY as DATA_KEY
from .cache import _fresh_series, data_version, events_version, registrations_changed, registrations_key, version
from .quickread import forget, read_many

PAGES_KEY = "eyos:pages-version"
PEOPLE_KEY = "eyos:people-version"
FEED_ENTRY_TTL = 6 * 3600

CSRF_PLACEHOLDER = "eyos-page-cache-csrf-token-placeholder"
# Exactly what {% csrf_token %} writes: only the hidden input is ever replaced.
_CSRF_INPUT = '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
_PLACEHOLDER_INPUT = _CSRF_INPUT.format(CSRF_PLACEHOLDER).encode()
_TOKEN_INPUT_START = b'name="csrfmiddlewaretoken"'
_ALLOWED_VARY = {"cookie", "accept-language"}
# What a view tells the middleware beside the headers: the page's own Content-Security-Policy
# (a national page's map allows the tile server, events.maps.allow_map), written by the CSP
# middleware on every response, a copy from the cache included.
_KEPT_ATTRIBUTES = ("_csp_config", "_csp_ro_config")


def page_cache_enabled():
    return getattr(settings, "EYOS_PAGE_CACHE", not settings.DEBUG)


def page_ttl():
    return getattr(settings, "EYOS_PAGE_CACHE_SECONDS", 60)


# --- versions --------------------------------------------------------------------------------

def bump_pages_version(**_kwargs):
    forget()
    bump(PAGES_KEY)


def _pages_version():
    return version(PAGES_KEY)


def bump_people_version(**_kwargs):
    forget()
    bump(PEOPLE_KEY)


# How long a value kept under the people version lives at most: the bound for a change of rights
# made by a write that sends no signal, as for personal copies. None of EYOS's does; Wagtail's bulk
# "set active state" updates is_active without one, which is read from the user's row on every
# request, not from here.
PEOPLE_CACHE_SECONDS = 60


def people_cached(parts, compute):
    """`compute()`'s result, kept in the shared cache under the people version (every write to
    users, groups, permissions, coordinators' assignments or admin profiles bumps it, at once and
    on commit): what every signed-in request asks of the database about its user's rights, read
    from this process's memory while Redis says nothing changed (events.quickread). The version is
    read before computing, so a value computed from rows a committing write is replacing is kept
    under a version that write's commit leaves behind. Not for rights read inside a transaction
    that changes them: a rollback sends no second bump, so what it read of its own uncommitted
    rows would stay current (no caller does: rights are read by requests, writes are made by
    services). Without a reachable cache: computed each time. Values are shared between
    requests: callers must not change them."""
    number = read_many([PEOPLE_KEY]).get(PEOPLE_KEY)
    if number is None:
        number = version(PEOPLE_KEY)
        if number is None:
            return compute()
    key = f"eyos:people:{number}:{_digest(parts)}"
    value = read_many([key]).get(key)
    if value is None:
        value = compute()
        cache.set(key, value, PEOPLE_CACHE_SECONDS)
    return value


def _current(values, *, events=False):
    """(data version, pages version), or with `events` ("e", events version, pages version), from
    a get_many, initialised when missing; None when the cache cannot give both."""
    first = values.get(EVENTS_KEY if events else DATA_KEY)
    if first is None:
        first = events_version() if events else data_version()
    pages = values.get(PAGES_KEY)
    if pages is None:
        pages = _pages_version()
    if first is None or pages is None:
        return None
    return ("e", first, pages) if events else (first, pages)


# Writes that change what public pages show. Events' own models are bumped at once by
# events/apps.py; here again on commit. CMS models are bumped here, at once and on commit.
_DATA_MODELS = {"events.Event", "events.Registration", "events.Topic", "events.Organisation",
                "events.Event_topics"}
_PAGE_APPS = {"wagtailcore", "campaigns", "wagtailimages", "wagtaildocs"}
# Who may see what, and how the admin shows it to them: users, groups and permissions, the
# coordinators' countries, Wagtail's user profiles (language, time zone, theme).
_PEOPLE_APPS = {"auth", "accounts", "coordinators", "wagtailusers"}
_NOT_CONTENT = {"wagtailcore.ModelLogEntry", "wagtailcore.PageLogEntry", "wagtailcore.ReferenceIndex",
                "wagtailcore.PageSubscription"}


def _bump_data_version_again():
    forget()
    bump_data_version()


def _bump_both_again():
    _bump_data_version_again()
    bump_events_version()


def _event_uid(registration):
    """The uid of a registration's event: from the event the registration holds, else one query
    (None if the event is gone: deleting it moved the events version, which leaves every event
    page behind)."""
    from .models import Event, Registration

    if Registration._meta.get_field("event").is_cached(registration):
        return registration.event.uid
    return Event.objects.filter(pk=registration.event_id).values_list("uid", flat=True).first()


def _after_write(sender, using=None, **kwargs):
    meta = getattr(sender, "_meta", None)
    if meta is None:
        return
    if meta.label == "events.Registration" and kwargs.get("instance") is not None:
        # Its event's registrations version (events.cache.registrations_key), at once and on
        # commit (with the data version again then); the data version
        # was bumped at once by events/apps.py.
        uid = _event_uid(kwargs["instance"])
        if uid is not None:
            bump(registrations_key(uid), REGISTRATIONS_SECONDS)
            transaction.on_commit(lambda: registrations_changed(uid), using=using)
            return
    if meta.label in _DATA_MODELS:
        forget()  # this process bumped the version (events/apps.py): its next read goes to Redis
        # Again on commit: a result computed between the bump and the commit (old rows, new
        # version, on another server) is then left behind.
        again = _bump_data_version_again if meta.label == "events.Registration" else _bump_both_again
        transaction.on_commit(again, using=using)
    elif meta.app_label in _PAGE_APPS and meta.label not in _NOT_CONTENT:
        bump_pages_version()
        transaction.on_commit(bump_pages_version, using=using)
    elif meta.app_label in _PEOPLE_APPS and set(kwargs.get("update_fields") or ()) != {"last_login"}:
        # (a sign-in saves last_login alone, which no page shows)
        bump_people_version()
        transaction.on_commit(bump_people_version, using=using)


def _after_page_event(**_kwargs):
    """Wagtail's page signals (a move changes paths with queryset updates, no save signal)."""
    bump_pages_version()
    transaction.on_commit(bump_pages_version)


def _connect():
    post_save.connect(_after_write, dispatch_uid="eyos-pagecache-save")
    post_delete.connect(_after_write, dispatch_uid="eyos-pagecache-delete")
    m2m_changed.connect(_after_write, dispatch_uid="eyos-pagecache-m2m")
    from wagtail.signals import page_published, page_unpublished, post_page_move

    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(_after_page_event, dispatch_uid=f"eyos-pagecache-{id(signal)}")


_connect()


# --- pages for anonymous visitors ------------------------------------------------------------

def _shareable_request(request):
    if request.method != "GET" or not page_cache_enabled() or getattr(request, "is_preview", False):
        return False
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    allowed = {settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME}
    return all(name in allowed for name in request.COOKIES)


def _normalised_query(request, params):
    """The known parameters only, sorted: `?topic=b&country=FR&utm_source=x` and
    `?country=FR&topic=b` are one page."""
    return urlencode(sorted((name, value) for name, values in request.GET.lists() if name in params
                            for value in values))


def _page_key(kind, request, query, extra):
    raw = "|".join([kind, translation.get_language() or "", request.scheme, request.get_host(), request.path,
                    query, str(extra)])
    return "eyos:page:" + hashlib.sha256(raw.encode()).hexdigest()[:40]


def csrf_context(request):
    """For a view's template context: the CSRF placeholder when the page is rendered for the
    cache (filled per visitor by `_finish`), else nothing (Django's own token)."""
    return {"csrf_token": CSRF_PLACEHOLDER} if getattr(request, "_eyos_page_cache", False) else {}


# --- pages kept under the registrations versions of the events they show ---------------------

class _Drawing:
    """What a page (or a part) drawn `per_event` read of registrations: the registrations versions
    of the events whose registrations it read (key → number or None, read before the rows), and
    whether it read registrations without naming the events, or a value kept under the data
    version (then it is not kept)."""

    def __init__(self):
        self.read = {}
        self.undeclared = False

    def note(self, read):
        """The versions read for some events' registrations. Read again with another number (a
        registration came between two reads of this drawing): it shows the rows of two moments,
        and is not kept."""
        for key, number in read.items():
            if self.read.setdefault(key, number) != number:
                self.undeclared = True

    def started(self, read):
        """Versions a part drawn inside this drawing started (`kept_under`) where both read none:
        nothing came between (the start would have failed), so this drawing is under them too."""
        for key, number in read.items():
            if key in self.read and self.read[key] is None:
                self.read[key] = number

    def kept_under(self):
        """The versions to keep the drawing under, or None when it must not be kept: each one
        missing when it was read (no registration yet, or expired) is started now, unless
        another process started it meanwhile (a registration after the read); a kept page
        never holds a missing version, so one evicted or expired later never matches it. One
        round trip (a pipeline) for all of them with the Redis backend."""
        if self.undeclared:
            return None
        missing = {key: _fresh_series() for key, number in self.read.items() if number is None}
        if not missing:
            return dict(self.read)
        add_many = getattr(cache, "add_many", None)
        if add_many is not None:
            stored = add_many(missing, REGISTRATIONS_SECONDS)
        else:
            stored = {key: cache.add(key, number, REGISTRATIONS_SECONDS) for key, number in missing.items()}
        if stored is None or not all(stored.get(key) for key in missing):
            return None
        return {**self.read, **missing}


_DRAWINGS = contextvars.ContextVar("eyos_page_drawings", default=())
_DECLARED = contextvars.ContextVar("eyos_registrations_declared", default=False)
_REGISTRATION_TABLE = "events_registration"


@contextlib.contextmanager
def reading_registrations(uids):
    """Around every read of registrations (place counts, the waiting list) of the events `uids`
    that a page may show: while a page or part is drawn `per_event`, their registrations versions
    are read first and kept with it, so a registration for one of them makes it be drawn again,
    and one for any other event does not. Elsewhere it costs nothing."""
    drawings = _DRAWINGS.get()
    if drawings:
        # A version no registration has started yet is read as None (and not started here: any
        # address would then make a key); the first registration starts it, which differs.
        keys = [registrations_key(uid) for uid in uids]
        values = read_many(keys) if keys else {}
        for drawing in drawings:
            drawing.note({key: values.get(key) for key in keys})
    token = _DECLARED.set(True)
    try:
        yield
    finally:
        _DECLARED.reset(token)


@contextlib.contextmanager
def _drawing_per_event():
    """Yields the _Drawing of a drawing: every query in it that reads registrations outside
    `reading_registrations` marks it undeclared."""
    from django.db import connection

    drawing = _Drawing()

    def guard(execute, sql, params, many, context):
        if not _DECLARED.get() and _REGISTRATION_TABLE in sql:
            drawing.undeclared = True
        return execute(sql, params, many, context)

    token = _DRAWINGS.set((*_DRAWINGS.get(), drawing))
    try:
        with connection.execute_wrapper(guard):
            yield drawing
    finally:
        _DRAWINGS.reset(token)


def data_version_used():
    """Called when something kept under the data version (events.cache.cached) is read: a page
    or part being drawn `per_event` does not know whose registrations that value shows, so it
    is not kept."""
    for drawing in _DRAWINGS.get():
        drawing.undeclared = True


def _registrations_current(read):
    """Whether every registrations version a copy was drawn under is still the same (read through
    quickread: from memory while Redis says they have not changed)."""
    if not read:
        return True
    values = read_many(list(read))
    return all(values.get(key) == number for key, number in read.items())


def _adopt(read):
    """A copy of a part used while an enclosing page is drawn `per_event`: the page depends on
    the part's registrations versions too."""
    for drawing in _DRAWINGS.get():
        drawing.note(read)


def serve_anonymous(request, kind, render, *, params=(), extra="", holes=False, per_event=False):
    """`render()`'s response, or the same response from the shared cache for visitors who are not
    signed in. `params`: the query parameters the page depends on (others are dropped, and the
    page is rendered as if they were absent); `extra`: anything else the page depends on.

    `holes`: the page shows event data only in parts drawn through `hole()` (Wagtail pages: the
    "upcoming events" blocks). Its copy is then kept under the pages version alone, with a marker
    in place of each such part, and the parts are drawn into every response from copies of their
    own under the data (or events) version: after a change to an event only the parts are drawn again, not
    the page (Wagtail's site, page and translation look-ups, the header, the body's blocks).

    `per_event`: the page shows registrations (place counts) only of events it names through
    `reading_registrations` (the event page: its event; the list: its page of results). Its copy
    is then kept under the events version (not the data version), the pages version and those
    events' registrations versions: a registration for any other event leaves it current. A
    drawing that reads registrations any other way, or a value kept under the data version, is
    not kept."""
    if not _shareable_request(request):
        return render()
    if holes and per_event:
        raise ValueError("a page with holes is kept under the pages version alone")
    query = _normalised_query(request, params)
    key = _page_key(kind, request, query, extra)
    if per_event:
        values = read_many([EVENTS_KEY, PAGES_KEY, key])
        versions = _current(values, events=True)
    else:
        values = read_many([DATA_KEY, EVENTS_KEY, PAGES_KEY, key] if holes else [DATA_KEY, PAGES_KEY, key])
        versions = _current(values)
        if holes and versions is not None:  # parts that depend on events alone: their version too
            events = values.get(EVENTS_KEY)
            events = events_version() if events is None else events
            versions = None if events is None else (*versions, events)
    if versions is None:  # no shared cache: the database path, as without this module
        return render()
    wanted = (None, versions[1]) if holes else versions
    entry = values.get(key)
    if (entry is not None and entry["versions"] == wanted and _known(entry.get("holes", ()))
            and _registrations_current(entry.get("registrations"))):
        return _finish(request, _fill(_from_entry(entry), entry.get("holes", ()), versions))
    original = _normalise(request, query)
    request._eyos_page_cache = True
    csrf_flag = request.META.get("CSRF_COOKIE_NEEDS_UPDATE", False)
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = False
    collecting = _HOLES.set([]) if holes else None
    drawing = _drawing_per_event() if per_event else contextlib.nullcontext()
    try:
        with drawing as registrations:
            response = render()
            if hasattr(response, "render") and callable(response.render):
                response = response.render()  # a TemplateResponse (Wagtail pages): rendered now
    finally:
        drawn_holes = tuple(_HOLES.get() or ())
        if collecting is not None:
            _HOLES.reset(collecting)
        _restore(request, original)  # for what runs after the view (redirects on a 404)
        request._eyos_page_cache = False
        token_used = request.META.get("CSRF_COOKIE_NEEDS_UPDATE", False)
        request.META["CSRF_COOKIE_NEEDS_UPDATE"] = csrf_flag or token_used
    if _storable(request, response, token_used):
        kept_under = registrations.kept_under() if registrations else None
        if registrations is None or kept_under is not None:
            cache.set(key, _entry(response, wanted, drawn_holes, kept_under), page_ttl())
    return _finish(request, _fill(response, drawn_holes, versions))


def _entry(response, versions, holes=(), registrations=None):
    return {"versions": versions, "registrations": registrations, "status": response.status_code, "content": response.content,
            "headers": [(name, value) for name, value in response.items()],
            "attributes": {name: getattr(response, name) for name in _KEPT_ATTRIBUTES if hasattr(response, name)},
            "holes": holes}


# --- parts drawn into a page after it comes from the cache -----------------------------------

_HOLES = contextvars.ContextVar("eyos_page_holes", default=None)
_DRAW_HOLE = {}
_EVENTS_ONLY_HOLES = set()


def hole_drawer(kind, *, events_only=False):
    """Decorator: `function(spec)` draws the part `kind` (HTML, in the active language) from its
    `spec` (picklable: what `hole()` was given), for `serve_anonymous(…, holes=True)`.

    `events_only`: the part shows nothing a registration changes (no place counts): its copies
    are kept under the events version instead of the data version, so a registration does not
    make it be drawn again."""
    def register(function):
        _DRAW_HOLE[kind] = function
        if events_only:
            _EVENTS_ONLY_HOLES.add(kind)
        else:
            _EVENTS_ONLY_HOLES.discard(kind)
        return function

    return register


def hole(kind, spec):
    """Where a page shows event data: while its page is drawn for the cache with holes, a marker
    (to be replaced by the part, drawn under the data or events version) and the part is not drawn now;
    else None, and the caller draws the part itself. The marker is random for each drawing of
    the page: no text of the page can make one."""
    collected = _HOLES.get()
    if collected is None:
        return None
    marker = f"<!--eyos-part-{secrets.token_hex(12)}-->"
    collected.append((marker, kind, spec))
    return mark_safe(marker)


def _known(holes):
    """Whether this process can draw every part (a copy made by another release may hold a kind
    this one does not know: the page is then drawn again)."""
    return all(kind in _DRAW_HOLE for _marker, kind, _spec in holes)


def _fill(response, holes, versions):
    """The page with each hole's part in place of its marker: from the cache when drawn under the
    same data (or, for parts that depend on events alone, events) and pages versions and
    language, else drawn now (and kept). `versions`: (data, pages, events)."""
    if not holes:
        return response
    language = translation.get_language() or ""
    data, pages, events = versions

    def part_versions(kind):
        return ("e", events, pages) if kind in _EVENTS_ONLY_HOLES else (data, pages)

    keys = {marker: "eyos:part-of-page:" + hashlib.sha256(
        repr((kind, spec, language, part_versions(kind))).encode()).hexdigest()[:40] for marker, kind, spec in holes}
    found = read_many(sorted(set(keys.values())))
    content = response.content
    for marker, kind, spec in holes:
        html = found.get(keys[marker])
        if html is None:
            html = found[keys[marker]] = str(_DRAW_HOLE[kind](spec))
            cache.set(keys[marker], html, page_ttl())
        content = content.replace(marker.encode(), html.encode(), 1)
    response.content = content
    return response


def _from_entry(entry):
    response = HttpResponse(entry["content"], status=entry["status"])
    for name, value in entry["headers"]:
        response[name] = value
    for name, value in entry.get("attributes", {}).items():  # entries of the release before have none
        setattr(response, name, value)
    return response


def anonymous_page(kind, params=(), per_event=False):
    """View decorator: `serve_anonymous` for a function view."""
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            return serve_anonymous(request, kind, lambda: view(request, *args, **kwargs), params=params,
                                   per_event=per_event)

        return wrapper

    return decorator


def _storable(request, response, token_used):
    if response.status_code != 200 or response.streaming or response.cookies or token_used:
        return False
    content = response.content
    if content.count(_TOKEN_INPUT_START) != content.count(_PLACEHOLDER_INPUT):
        return False  # a real token in the page
    if getattr(request, "_csp_nonce", None):  # LazyNonce: true once used; the header would need it
        return False
    if not _nothing_personal_done(request):
        return False
    control = response.get("Cache-Control", "").lower()
    if "private" in control or "no-store" in control:
        return False
    vary = {part.strip().lower() for part in response.get("Vary", "").split(",") if part.strip()}
    return vary <= _ALLOWED_VARY


def _finish(request, response):
    """Every response of a shareable page: the visitor's own CSRF token in place of the
    placeholder; Vary: Cookie (a signed-in visitor gets another page from the same URL)."""
    if _PLACEHOLDER_INPUT in response.content:
        from django.middleware.csrf import get_token

        token = _CSRF_INPUT.format(get_token(request)).encode()
        response.content = response.content.replace(_PLACEHOLDER_INPUT, token)
    patch_vary_headers(response, ("Cookie",))
    return response


# --- parts of pages shared by every visitor ---------------------------------------------------

def shared_part(request, kind, compute, *, params=(), per_event=False):
    """`compute()`'s result — a part of a page, rendered, with what goes with it; picklable — shared
    by every visitor who asks for the same page (host, path, language, the known `params`), signed
    in or not, under the data and pages versions, for PAGE_TTL at most. Signed-in visitors pay
    only for their own parts around it (the header with their name). `per_event`: as for
    `serve_anonymous`, under the events version and the registrations versions of the events it
    shows.

    The part is drawn as for a visitor who is not signed in (`request.user` is anonymous while
    `compute` runs, so nobody's data can get into it), with the query string normalised as for
    whole pages; a part whose drawing used a CSRF token, the session or messages is not kept."""
    if request.method not in ("GET", "HEAD") or not page_cache_enabled():
        return compute()
    query = _normalised_query(request, params)
    key = _page_key("part:" + kind, request, query, "")
    if per_event:
        values = read_many([EVENTS_KEY, PAGES_KEY, key])
        versions = _current(values, events=True)
    else:
        values = read_many([DATA_KEY, PAGES_KEY, key])
        versions = _current(values)
    if versions is None:
        return compute()
    entry = values.get(key)
    if entry is not None and entry["versions"] == versions and _registrations_current(entry.get("registrations")):
        if per_event:
            _adopt(entry.get("registrations") or {})
        else:
            data_version_used()
        return entry["value"]
    original = _normalise(request, query)
    from django.contrib.auth.models import AnonymousUser

    user, request.user = request.user, AnonymousUser()
    # A part is never drawn with the whole-page cache's CSRF placeholder (nothing would fill it
    # in for a signed-in visitor): a form in it uses a real token, and is then not kept.
    whole_page, request._eyos_page_cache = getattr(request, "_eyos_page_cache", False), False
    csrf_flag = request.META.get("CSRF_COOKIE_NEEDS_UPDATE", False)
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = False
    try:
        with (_drawing_per_event() if per_event else contextlib.nullcontext()) as registrations:
            value = compute()
    finally:
        request.user, request._eyos_page_cache = user, whole_page
        _restore(request, original)
        token_used = request.META.get("CSRF_COOKIE_NEEDS_UPDATE", False)
        request.META["CSRF_COOKIE_NEEDS_UPDATE"] = csrf_flag or token_used
    nonce_used = bool(getattr(request, "_csp_nonce", None))  # each response has its own nonce
    if not token_used and not nonce_used and _nothing_personal_done(request):
        kept_under = registrations.kept_under() if registrations else None
        if registrations is None or kept_under is not None:
            cache.set(key, {"versions": versions, "value": value, "registrations": kept_under}, page_ttl())
        for drawing in _DRAWINGS.get() if kept_under else ():  # a whole page being drawn around it
            drawing.started(kept_under)
    return value


def _normalise(request, query):
    """The request as if it had asked with the normalised query string; what it asked with, for
    `_restore`."""
    original = (request.GET, request.META.get("QUERY_STRING", ""))
    if query != original[1]:
        request.GET = QueryDict(query)
        request.META["QUERY_STRING"] = query
    return original


def _restore(request, original):
    request.GET, request.META["QUERY_STRING"] = original


# --- a signed-in user's own pages ------------------------------------------------------------

def _pending_messages(request):
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


def personal_page(kind):
    """View decorator for back-office pages that cost much to draw (Wagtail's admin around them)
    and change only with the data: the user's previous copy of the same page (path, query,
    language) while the data, pages and people versions are those it was drawn under, and for a
    minute at most. Below the view's permission check, which runs on every request.

    A copy belongs to one user and one CSRF secret (the page carries a token for it: the admin's
    scripts post with it); it is neither served nor kept without a CSRF cookie, with messages to
    show, or when drawing it set a cookie, changed the session or queued a message."""
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = getattr(request, "user", None)
            # The secret the CSRF middleware uses for this request, when it is the browser's cookie
            # (a malformed cookie is replaced by a new secret: nothing to key a copy on).
            secret = request.META.get("CSRF_COOKIE", "")
            if (request.method != "GET" or not page_cache_enabled() or user is None or not user.is_authenticated
                    or not secret or secret != request.COOKIES.get(settings.CSRF_COOKIE_NAME)
                    or settings.CSRF_USE_SESSIONS or _pending_messages(request)):
                return view(request, *args, **kwargs)
            key = _page_key(kind, request, request.META.get("QUERY_STRING", ""),
                            (user.pk, secret, request.COOKIES.get("wagtail_sidebar_collapsed", "")))
            values = read_many([DATA_KEY, PAGES_KEY, PEOPLE_KEY, key])
            versions = _current(values)
            people = values.get(PEOPLE_KEY)
            if people is None:
                people = version(PEOPLE_KEY)
            if versions is None or people is None:
                return view(request, *args, **kwargs)
            versions = (*versions, people)
            entry = values.get(key)
            if entry is not None and entry["versions"] == versions:
                from django.middleware.csrf import get_token

                get_token(request)  # the CSRF cookie is renewed as when the page is drawn
                return _from_entry(entry)
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            if _storable_personal(request, response):
                cache.set(key, _entry(response, versions), page_ttl())
            return response

        return wrapper

    return decorator


def _storable_personal(request, response):
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    return _nothing_personal_done(request) and "no-store" not in response.get("Cache-Control", "").lower()


def dont_keep(request):
    """What this request is drawing must not be kept by the page cache (a whole page, a shared
    part or a personal copy): it shows something that is not current, such as the facet counts a
    process shows while another counts the new ones."""
    request._eyos_dont_keep = True


def _nothing_personal_done(request):
    """Drawing the page left the session as it was, queued no message and asked for nothing to
    be kept (dont_keep)."""
    if getattr(request, "_eyos_dont_keep", False):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    messages = getattr(request, "_messages", None)
    return not (messages is not None and getattr(messages, "_queued_messages", None))


# --- feeds: conditional GETs -----------------------------------------------------------------

def _etag_matches(header, etag):
    etags = parse_etags(header)
    if etags == ["*"]:
        return True
    return etag.removeprefix("W/") in {tag.removeprefix("W/") for tag in etags}


def feed_not_modified(view):
    """A feed view's conditional GET answered 304 from one cache read: the ETag, Last-Modified and
    other validator headers its last full answer had, kept with the data version, the labels'
    stamp and the day they were computed under (all of which its ETag is made of). Anything else
    (no entry, another state, no match) runs the view, whose answer is then kept."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        raw = request.path + "?" + urlencode(sorted(request.GET.lists()), doseq=True)
        key = "eyos:feed-validators:" + hashlib.sha256(raw.encode()).hexdigest()[:40]
        values = read_many([DATA_KEY, LABELS_KEY, key])
        data, labels, entry = values.get(DATA_KEY), values.get(LABELS_KEY), values.get(key)
        state = None if data is None or labels is None else (data, labels, timezone.now().date().isoformat())
        fresh = state is not None and entry is not None and entry["state"] == state
        condition = request.META.get("HTTP_IF_NONE_MATCH")
        if fresh and condition and _etag_matches(condition, entry["etag"]):
            response = HttpResponseNotModified()
            for name, value in entry["headers"]:
                response[name] = value
            return response
        response = view(request, *args, **kwargs)
        if state is not None and not fresh and response.status_code in (200, 304) and response.has_header("ETag"):
            headers = [(name, value) for name, value in response.items()
                       if name.lower() not in ("content-type", "content-length", "content-encoding")]
            cache.set(key, {"state": state, "etag": response["ETag"], "headers": headers}, FEED_ENTRY_TTL)
        return response

    return wrapper
