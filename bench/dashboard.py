"""Dashboard benchmark (`make bench`): the dashboard of a country with 25,000 events and 250,000
registrations, timed in the same run as `/healthz` through the same Django test client, and its
query count. Builds its own throwaway SQLite database and uses bench/settings.py (the test settings
with a local-memory cache of its own), whatever DJANGO_SETTINGS_MODULE, DATABASE_URL or REDIS_URL
the caller exported. --quick: a tenth of the data (a smoke run), the goal printed but not
enforced."""

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench._env import describe, set_environment  # noqa: E402

QUICK = "--quick" in sys.argv[1:]
DROPPED = set_environment(DJANGO_SETTINGS_MODULE="bench.settings",
                          DATABASE_URL="sqlite:///" + str(Path(tempfile.mkdtemp()) / "bench-dashboard.sqlite3"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

EVENTS, REGISTRATIONS, COUNTRY = (2_500, 25_000, "CY") if QUICK else (25_000, 250_000, "CY")


def seed():
    from wagtail.models import Locale

    from events.models import Event, Organisation, Registration, Topic, link_topics

    rng = random.Random(7)
    locale = Locale.get_default()
    topics = [Topic.objects.create(slug=f"t{n}", name=f"Topic {n}", locale=locale) for n in range(12)]
    orgs = [Organisation.objects.create(name=f"Org {n}", slug=f"org-{n}", country=COUNTRY) for n in range(200)]
    now = timezone.now().replace(microsecond=0)
    statuses = ["published"] * 8 + ["submitted", "draft", "rejected", "cancelled"]
    events = []
    for n in range(EVENTS):
        start = now + timedelta(hours=rng.randint(-24 * 300, 24 * 300))
        status = rng.choice(statuses)
        events.append(Event(
            title=f"Event {n}", slug=f"e-{n}", summary="x", country=COUNTRY, organisation=rng.choice(orgs),
            start=start, end=start + timedelta(hours=2), timezone="Asia/Nicosia", city=f"City {n % 40}",
            address="1 Street", format=rng.choice(["onsite", "online", "hybrid"]), language=rng.choice(["el", "en", "tr"]),
            status=status, capacity=rng.choice([None, 20, 50, 100]),
            submitted_at=start - timedelta(days=30), decided_at=start - timedelta(days=30 - rng.randint(1, 9))
            if status in ("published", "rejected") else None,
        ))
    Event.objects.bulk_create(events, batch_size=5000)
    link_topics((e.pk, rng.choice(topics).pk) for e in events)
    registrations = []
    for n in range(REGISTRATIONS):
        event = events[n % EVENTS]
        registrations.append(Registration(
            event_id=event.pk, name="R", email=f"r{n}@example.org", consent_at=now,
            status=rng.choice(["confirmed"] * 6 + ["waitlisted", "cancelled", "pending"]),
        ))
        if len(registrations) == 20000:
            Registration.objects.bulk_create(registrations)
            registrations = []
    Registration.objects.bulk_create(registrations)


def timed(client, url, repeat):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times), max(times)


def main():
    from django.conf import settings
    from django.contrib.auth import get_user_model

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    seed()
    print(f"Dashboard benchmark: {EVENTS:,} events, {REGISTRATIONS:,} registrations in {COUNTRY} "
          f"(seeded in {time.perf_counter() - started:.0f} s, SQLite, {settings.SETTINGS_MODULE})")
    if DROPPED:
        print(describe(DROPPED))
    admin = get_user_model().objects.create_superuser(email="bench@example.org", password="x-bench-password-1")
    client = Client()
    client.force_login(admin)
    today = timezone.localdate()
    url = (f"/admin/coordinators/dashboard/{COUNTRY}/?period=custom&from={today - timedelta(days=365)}"
           f"&to={today + timedelta(days=365)}")
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    from events.cache import bump_data_version

    def uncached():
        bump_data_version()  # as after any write: the figures are computed again
        return client.get(url)

    times = []
    for _ in range(5):
        started = time.perf_counter()
        assert uncached().status_code == 200
        times.append(time.perf_counter() - started)
    dashboard_median, dashboard_max = statistics.median(times), max(times)
    cached_median, _ = timed(client, url, 20)
    health_median, _ = timed(client, "/healthz", 200)
    from coordinators import dashboard
    from coordinators.dashboard import Period

    with CaptureQueriesContext(connection) as figures:
        dashboard.country_dashboard(admin, COUNTRY, Period(today - timedelta(days=365), today + timedelta(days=365),
                                                           "custom"), use_cache=False)
    print(f"/healthz: median {health_median * 1000:.2f} ms ({1 / health_median:,.0f} requests/s, one client)")
    print(f"dashboard: median {dashboard_median * 1000:.0f} ms, max {dashboard_max * 1000:.0f} ms, "
          f"{len(figures)} queries for the figures, {len(queries)} for the whole admin page")
    print(f"dashboard from the cache (no change since): median {cached_median * 1000:.1f} ms")
    print(f"ratio to /healthz rps: uncached {health_median / dashboard_median:.4f}, "
          f"cached {health_median / cached_median:.3f}")
    ok = len(figures) <= 15
    print(f"goal: dashboard figures in at most 15 queries: {'met' if ok else 'NOT MET'}")
    if QUICK and not ok:
        print("(--quick: the goal is not enforced)")
        return 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
