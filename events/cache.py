"""One version number for everything derived from events and registrations (dashboard figures,
for now). Every write bumps it, so cached aggregates are replaced at once instead of waiting for a
TTL; the number lives in the shared cache, so every app server sees the bump."""

import time

from django.core.cache import cache

KEY = "eyos:data-version"


def _fresh_series():
    # Started from the clock, so a series started after an eviction never meets old keys.
    return time.time_ns() // 1000


def version(key):
    """The current number of the version series under `key`, started when missing."""
    number = cache.get(key)
    if number is None:
        cache.add(key, _fresh_series(), timeout=None)
        number = cache.get(key)
    return number


def bump(key, timeout=None):
    """A new number in the series under `key` (a new series if it was lost). This thread's next
    read of it goes to Redis (events.quickread), not to what it remembers."""
    from .quickread import forget

    forget()
    try:
        cache.incr(key)
    except ValueError:  # not set yet, evicted, expired, or the cache is unreachable
        if not cache.add(key, _fresh_series(), timeout=timeout):
            try:  # another process started it meanwhile: move it on from there
                cache.incr(key)
            except ValueError:  # unreachable (the backend counts the lost write)
                pass


def data_version():
    return version(KEY)


def bump_data_version(**_kwargs):
    bump(KEY)


# A second series for what depends on events alone (their fields, topics, organisations), not on
# registrations: the list's facet counts, search matches, topic names, map clusters, feed
# validators. A registration bumps the data version (and its event's registrations version,
# below), not this one, so the first visitor after one pays
# for the page, not for counting 100,000 events again.
EVENTS_KEY = "eyos:events-version"


def events_version():
    return version(EVENTS_KEY)


def bump_events_version(**_kwargs):
    bump(EVENTS_KEY)


# A registrations version for each event (a series of its own, named by the event's uid, which
# its page's address gives before any query), for the pages that show place counts (the event
# page, the list's cards): every write to one of its registrations bumps it, and the data
# version, not the events version. Those pages are kept under the events version and the
# registrations versions of the events they show (events.pagecache, `per_event`), so a
# registration for one event leaves every page that does not show it cached (at campaign scale
# someone registers somewhere every few seconds). Not started by a read (None until the first
# registration or the first page kept under it: events.pagecache._Drawing.kept_under; never None in a kept
# page, so a version missing when a page is checked, evicted or expired, never matches it); it
# expires REGISTRATIONS_SECONDS after it was started.
REGISTRATIONS_PREFIX = "eyos:event-registrations:"
REGISTRATIONS_SECONDS = 7 * 24 * 3600


def registrations_key(uid):
    return f"{REGISTRATIONS_PREFIX}{uid}"


def registrations_changed(uid):
    """What a write to a registration of the event `uid` does to the caches (at once, and again
    on commit: events.pagecache): its registrations version and the data version move."""
    bump_data_version()
    bump(registrations_key(uid), REGISTRATIONS_SECONDS)


def events_changed():
    """Both series, as a write to an event does: for writes that send no signal (bulk_create)."""
    bump_data_version()
    bump_events_version()


def after_cache_outage():
    """Called by the cache backend (eyos/cache.py) when Redis answers again after this process
    dropped a write while it was unreachable: the dropped write may have been a bump, so start a
    new series (everything cached before the outage is left behind) and read the label stamp
    from the database again."""
    from .pagecache import bump_pages_version, bump_people_version

    bump_data_version()
    bump_events_version()
    bump_pages_version()  # a CMS edit dropped meanwhile must not leave cached pages current
    bump_people_version()  # nor a change of someone's rights their cached admin pages
    cache.delete(LABELS_KEY)


def cached(parts, compute, timeout=3600, *, events_only=False, labels_only=False):
    """`compute()`'s result, kept in the shared cache until the next write to events or
    registrations (the data version is part of the key), or with `events_only` until the next
    write to events, topics or organisations (for results no registration can change), or with
    `labels_only` until the next write to a topic, an organisation or the CMS (pages, images:
    for topics' names and default images, which no event changes). `parts` name what it is:
    selector name, filters, language …

    The versions are read through events.quickread (from this process's memory while Redis says
    they have not changed); so are `labels_only` values, which callers must not change."""
    from .quickread import read_many

    key = cache_key(parts, events_only=events_only, labels_only=labels_only)
    if key is None:  # the cache cannot be reached: nothing to keep the result in
        return compute()
    value = read_many([key]).get(key) if labels_only else cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout)
    return value


def _digest(parts):
    import hashlib

    return hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()[:40]


def cache_key(parts, *, events_only=False, labels_only=False):
    """The key `cached()` keeps `parts` under for the current version (read once: a value
    computed from the rows of that version is then kept under it, even if a write bumps the
    version meanwhile), or None when the cache cannot give the version."""
    from .quickread import read_many

    digest = _digest(parts)
    if labels_only:
        series = _labels_series()
        return None if series is None else f"eyos:cached:{series}:{digest}"
    if not events_only:
        from .pagecache import data_version_used

        data_version_used()  # a value that registrations may change
    name = EVENTS_KEY if events_only else KEY
    number = read_many([name]).get(name)
    if number is None:
        number = version(name)
        if number is None:  # unreachable: no version to keep anything under
            return None
    return f"eyos:cached:{'e' if events_only else ''}{number}:{digest}"


# Computed once at a time: how long a process may hold the right to compute a value (one that
# dies meanwhile holds it no longer than this), and how old the last value may be to be served
# while another process computes the next one.
COMPUTING_SECONDS = 10
LATEST_SECONDS = 30


def cached_once_at_a_time(parts, compute, timeout=3600, *, events_only=False, busy=None, settle=0.0):
    """(value, current): `cached()`'s value (current=True), except while another process is
    computing it, or what it is derived from (`busy`: the parts of that, shared by several
    values), for a newer version: then the last value computed (at most LATEST_SECONDS old) with
    current=False, instead of computing again at the same time. After a change to events the
    first visitor counts, and those who come while the count runs get the counts it replaces,
    never older than one count; with changes every few milliseconds (a bulk import) one process
    counts at a time instead of every visitor. A value served so is not kept under the current
    version.

    `settle` (seconds): when the last computation was overtaken by a change while it ran (changes
    keep coming: an import, a bulk edit), its value is served (current=False) for that long after
    it instead of computing again, so that during a burst the value is computed about once per
    `settle` instead of without pause by one process. After a single change that did not come
    while a value was being computed, the next visitor computes at once, as without it; one that
    came during a computation is counted at most `settle` seconds after that computation ended."""
    import secrets
    import time

    key = cache_key(parts, events_only=events_only)
    if key is None:
        return compute(), True
    value = cache.get(key)
    if value is not None:
        return value, True
    computing, latest = f"eyos:computing:{_digest(busy or parts)}", f"eyos:latest:{_digest(parts)}"
    if settle:
        last = cache.get(latest)
        # (an age below 0: another server's clock ahead of this one's; not trusted)
        if last is not None and len(last) > 2 and last[2] and 0 <= time.time() - last[0] < settle:
            return last[1], False
    token = secrets.token_hex(8)
    owner = cache.add(computing, token, timeout=COMPUTING_SECONDS)
    if not owner:  # another process computes it (or the cache cannot be reached)
        last = cache.get(latest)
        if last is not None and time.time() - last[0] < LATEST_SECONDS:
            return last[1], False
    try:
        value = cache.get(key) if owner else None  # the previous holder may have just kept it
        if value is None:
            value = compute()
            cache.set(key, value, timeout)
            # (when, value, whether a change came while it was computed: see `settle`)
            overtaken = cache_key(parts, events_only=events_only) != key
            cache.set(latest, (time.time(), value, overtaken), LATEST_SECONDS)
    finally:
        # Given back only if still ours: a computation longer than COMPUTING_SECONDS lost it.
        if owner and cache.get(computing) == token:
            cache.delete(computing)
    return value, True


def _labels_series():
    """"l<labels stamp>:<pages version>", or None when the cache cannot give the pages version."""
    from .pagecache import PAGES_KEY
    from .quickread import read_many

    values = read_many([LABELS_KEY, PAGES_KEY])
    pages = values.get(PAGES_KEY)
    if pages is None:
        pages = version(PAGES_KEY)
        if pages is None:  # unreachable: no series (and no query for the labels stamp)
            return None
    labels = values.get(LABELS_KEY)
    if labels is None:
        labels = labels_changed_at()
    return f"l{labels}:{pages}"


# Names that events show but do not own: a topic's or an organisation's. Renaming one changes
# feeds without changing any event's `updated_at`, so feeds' validators (ETag, Last-Modified)
# include the time of the last such change: kept in the database (events.models.Stamp), copied
# in the shared cache. A cache miss reads the same moment again (never the clock: a new moment on
# every miss would give every request a new ETag and never a 304).
LABELS_KEY = "eyos:labels-changed"
LABELS = "labels"


def labels_changed_at():
    """Seconds since the epoch of the last write to a topic or organisation (0 before any)."""
    stamp = cache.get(LABELS_KEY)
    if stamp is None:
        from .models import Stamp

        at = Stamp.objects.filter(name=LABELS).values_list("at", flat=True).first()
        stamp = at.timestamp() if at else 0.0
        cache.add(LABELS_KEY, stamp, timeout=None)
    return stamp


def _stamp_labels():
    from django.utils import timezone

    from .models import Stamp

    now = timezone.now()
    Stamp.objects.update_or_create(name=LABELS, defaults={"at": now})
    cache.set(LABELS_KEY, now.timestamp(), timeout=None)


def touch_labels(**_kwargs):
    """At once (in the rename's transaction), and again once the rename is committed: a feed
    rendered in between (new stamp, old names, from another server) is then replaced instead of
    being served under the new stamp."""
    from django.db import transaction

    _stamp_labels()
    transaction.on_commit(_stamp_labels)
