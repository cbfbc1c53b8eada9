"""HTTP benchmark (`make bench`): the site served by gunicorn on loopback, driven by a threaded
load generator for a bounded time per row, all in one run:

    /healthz (the reference), the event list (unfiltered, by country and topic, free text), an
    event page, a full feed and a feed answered 304, and a coordinator's dashboard.

It prints requests per second, p50 and p95 latency and each row's ratio to /healthz, and writes the
table as JSON under bench-results/ (git-ignored). Data is seeded into a throwaway SQLite database
(or the PostgreSQL database of DATABASE_URL, which it empties of events first - never point it at
data you care about), at 10,000 events and, without --quick, also at 100,000.

    python bench/site_load.py [--quick] [--seconds N] [--concurrency N]
"""

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "eyos.settings.test"
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
if not ON_POSTGRES:
    os.environ["DATABASE_URL"] = "sqlite:///" + str(Path(tempfile.mkdtemp()) / "bench-http.sqlite3")

import django  # noqa: E402

django.setup()

import requests  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

COUNTRIES = ["FR", "DE", "IT", "ES", "PL", "NL", "BE", "SE"]


def seed(total):
    """`total` published events across eight countries, a registration per event, search-indexed."""
    from wagtail.models import Locale
    from wagtail.search.backends import get_search_backend

    from events.models import Event, Organisation, Registration, Topic

    rng = random.Random(total)
    Registration.objects.all().delete()
    Event.objects.all().delete()
    locale = Locale.get_default()
    topics = [Topic.objects.get_or_create(slug=f"bench-{n}", locale=locale, defaults={"name": f"Bench {n}"})[0]
              for n in range(8)]
    orgs = {c: Organisation.objects.get_or_create(slug=f"bench-{c.lower()}", defaults={"name": f"Bench {c}", "country": c})[0]
            for c in COUNTRIES}
    now = timezone.now().replace(microsecond=0)
    batch, made = [], 0
    backend = get_search_backend()
    words = ["workshop", "job fair", "webinar", "hackathon", "training", "open day", "conference"]
    while made < total:
        for _ in range(min(5000, total - made)):
            country = COUNTRIES[made % len(COUNTRIES)]
            start = now + timedelta(hours=rng.randint(1, 24 * 500))
            batch.append(Event(
                title=f"{rng.choice(words).title()} {made}: skills for everyone", slug=f"b-{made}", summary="Skills.",
                country=country, organisation=orgs[country], start=start, end=start + timedelta(hours=2),
                timezone="Europe/Paris", city=f"City {made % 50}", address="1 Street", status="published",
                capacity=rng.choice([None, 30]), language="en",
            ))
            made += 1
        events = Event.objects.bulk_create(batch)
        Event.topics.through.objects.bulk_create(
            [Event.topics.through(event_id=e.pk, topic_id=topics[e.pk % 8].pk) for e in events])
        Registration.objects.bulk_create([Registration(event=e, name="R", email=f"r{e.pk}@example.org",
                                                       consent_at=now, status="confirmed") for e in events])
        backend.add_bulk(Event, events)
        batch = []
    return Event.objects.filter(status="published").order_by("start").first()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(workers):
    from django.db import connection

    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "eyos.settings.test", "DJANGO_ALLOW_ASYNC_UNSAFE": "true"}
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = "sqlite:///" + str(connection.settings_dict["NAME"])
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "eyos.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--threads", "2", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if requests.get(base + "/healthz", timeout=5).status_code == 200:
                return process, base
        except requests.RequestException:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("gunicorn did not start")


def load(url, *, seconds, concurrency, headers=None, cookies=None, expect=200):
    """Closed-loop load: `concurrency` clients, each sending the next request when one returns."""
    latencies, errors, stop = [], [], time.perf_counter() + seconds
    lock = threading.Lock()

    def client():
        session = requests.Session()
        if cookies:
            session.cookies.update(cookies)
        mine = []
        while time.perf_counter() < stop:
            started = time.perf_counter()
            response = session.get(url, headers=headers or {}, allow_redirects=False)
            mine.append(time.perf_counter() - started)
            if response.status_code != expect:
                errors.append(response.status_code)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "requests": len(latencies), "rps": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies), "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))],
        "errors": len(errors),
    }


def admin_cookies(base):
    """A signed-in EU-team session, made directly in the session store (the sign-in form is not
    what this benchmark measures)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    email = "bench-admin@example.org"
    get_user_model().objects.filter(email=email).delete()
    user = get_user_model().objects.create_superuser(email=email, password="bench-password-1")
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return {settings.SESSION_COOKIE_NAME: store.session_key}


def run_scale(total, args):
    first = seed(total)
    process, base = start_server(args.workers)
    try:
        cookies = admin_cookies(base)
        feed = requests.get(base + "/feeds/countries/fr.ics")
        rows = {
            "/healthz": (base + "/healthz", {}, None, 200),
            "list, unfiltered": (base + "/en/events/", {}, None, 200),
            "list, country + topic": (base + "/en/events/?country=FR&topic=bench-3", {}, None, 200),
            "list, free text": (base + "/en/events/?q=hackathon", {}, None, 200),
            "event page": (base + f"/en/events/{first.uid}/", {}, None, 200),
            "feed, full country": (base + "/feeds/countries/fr.ics", {}, None, 200),
            "feed, 304": (base + "/feeds/countries/fr.ics", {"If-None-Match": feed.headers["ETag"]}, None, 304),
            "dashboard (cached)": (base + "/admin/coordinators/dashboard/FR/", {}, cookies, 200),
        }
        results = {}
        for name, (url, headers, jar, expect) in rows.items():
            requests.get(url, headers=headers, cookies=jar)  # warm
            results[name] = load(url, seconds=args.seconds, concurrency=args.concurrency, headers=headers,
                                 cookies=jar, expect=expect)
        reference = results["/healthz"]["rps"]
        print(f"\n{total:,} events ({'PostgreSQL' if ON_POSTGRES else 'SQLite'}, gunicorn {args.workers} workers, "
              f"{args.concurrency} clients, {args.seconds:g} s per row)")
        print(f"{'row':<24}{'rps':>9}{'p50 ms':>9}{'p95 ms':>9}{'x healthz':>11}{'errors':>8}")
        for name, row in results.items():
            row["ratio_to_healthz"] = row["rps"] / reference
            print(f"{name:<24}{row['rps']:>9.0f}{row['p50_ms']:>9.1f}{row['p95_ms']:>9.1f}"
                  f"{row['ratio_to_healthz']:>11.2f}{row['errors']:>8}")
        return results
    finally:
        process.terminate()
        process.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="10,000 events only, short rows (CI smoke)")
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    args.seconds = args.seconds or (2 if args.quick else 6)
    call_command("migrate", verbosity=0)
    scales = [10_000] if args.quick else [10_000, 100_000]
    report = {scale: run_scale(scale, args) for scale in scales}
    goals = {
        "filtered list >= 0.10 x healthz": report[10_000]["list, country + topic"]["ratio_to_healthz"] >= 0.10,
        "feed 304 >= 0.8 x healthz": report[10_000]["feed, 304"]["ratio_to_healthz"] >= 0.8,
    }
    if 100_000 in report:
        for row in ("list, country + topic", "event page"):
            goals[f"{row} p95 at 100k within 1.5x of 10k"] = (
                report[100_000][row]["p95_ms"] <= 1.5 * report[10_000][row]["p95_ms"])
    failing = [f"{scale:,}: {name}" for scale, rows in report.items() for name, row in rows.items() if row["errors"]]
    goals["no unexpected status codes"] = not failing
    if failing:
        print("rows with unexpected status codes: " + "; ".join(failing))
    print()
    for goal, met in goals.items():
        print(f"goal: {goal}: {'met' if met else 'NOT MET'}")
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    path = out / f"http-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps({"scales": report, "goals": goals}, indent=2))
    print(f"written: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
