"""One version number for everything derived from events and registrations (dashboard figures,
for now). Every write bumps it, so cached aggregates are replaced at once instead of waiting for a
TTL; the number lives in the shared cache, so every app server sees the bump."""

import time

from django.core.cache import cache

KEY = "eyos:data-version"


def _fresh_series():
    # Started from the clock, so a series started after an eviction never meets old keys.
    return time.time_ns() // 1000


def data_version():
    version = cache.get(KEY)
    if version is None:
        cache.add(KEY, _fresh_series(), timeout=None)
        version = cache.get(KEY)
    return version


def bump_data_version(**_kwargs):
    try:
        cache.incr(KEY)
    except ValueError:  # not set yet, or evicted
        cache.add(KEY, _fresh_series(), timeout=None)


def cached(parts, compute, timeout=3600):
    """`compute()`'s result, kept in the shared cache until the next write to events (the data
    version is part of the key). `parts` name what it is: selector name, filters, language …"""
    import hashlib

    raw = "|".join(str(part) for part in parts)
    key = f"eyos:cached:{data_version()}:{hashlib.sha256(raw.encode()).hexdigest()[:40]}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout)
    return value


# Names that events show but do not own: a topic's or an organisation's. Renaming one changes
# feeds without changing any event's `updated_at`, so feeds' validators (ETag, Last-Modified)
# include the time of the last such change. Kept in the shared cache; if it is lost, "now" is
# the safe answer (clients fetch once more).
LABELS_KEY = "eyos:labels-changed"


def labels_changed_at():
    """Seconds since the epoch of the last write to a topic or organisation."""
    stamp = cache.get(LABELS_KEY)
    if stamp is None:
        cache.add(LABELS_KEY, time.time(), timeout=None)
        stamp = cache.get(LABELS_KEY)
    return stamp


def touch_labels(**_kwargs):
    """At once, and again once the rename is committed: a feed rendered in between (new stamp, old
    names, from another server) is then replaced instead of being served under the new stamp."""
    from django.db import transaction

    cache.set(LABELS_KEY, time.time(), timeout=None)
    transaction.on_commit(lambda: cache.set(LABELS_KEY, time.time(), timeout=None))
