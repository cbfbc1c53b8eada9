"""Settings of the in-process benchmarks (bench/feeds.py, bench/dashboard.py): the test settings
(fast hashing, email in memory, tasks run at once) with an explicit local-memory cache large
enough for every cached VEVENT and figure they make. Django's default keeps 300 entries and
evicts the rest, which made the "warm" feed cold again."""

from eyos.settings.test import *  # noqa: F403

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "eyos-bench",
        "OPTIONS": {"MAX_ENTRIES": 1_000_000},
    }
}
