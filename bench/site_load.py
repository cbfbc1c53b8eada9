"""Site benchmark (`make bench`): the site as it is deployed, measured against its own /healthz.

- Engine: PostgreSQL (a database of its own, `eyos_bench`, created and dropped here) and Redis (db
  7, flushed before and after) when both answer; otherwise SQLite, a local-memory cache and one
  gunicorn worker (per-process caches would disagree between workers), and it says so on a line
  of its own. EYOS_BENCH_PG (server URL), EYOS_BENCH_PG_DB and
  EYOS_BENCH_REDIS choose other ones. Never DATABASE_URL or REDIS_URL: the caller's environment
  does not choose what is measured, nor which database is emptied.
- Settings: eyos.settings.production, with SECRET_KEY, ALLOWED_HOSTS and the TLS switches set
  here (plain http on loopback), for this process and every process it starts, whatever
  DJANGO_SETTINGS_MODULE the caller exported.
- Server: gunicorn with eyos/gunicorn_conf.py and 3 workers, as the Procfile's `web`.
- Data: 10,000 and then 100,000 events spread as a real Year's are (one big country holding about
  a quarter of them, as Türkiye did in EU Code Week; topics, formats, languages, past and future
  dates, some cancelled or unpublished; registrations), seeded with bulk inserts. Events on site
  have coordinates: most in and around the real cities of their country (events.demo.CITY_LOCATIONS),
  some spread over its regions, so the map's clusters are those of a real Year.
- Load: wrk (or, without it, a small Python client) for a fixed time per row; /healthz is measured
  between every two rows and each row is reported as a ratio to the /healthz runs around it, the
  median of several rounds.
- Queries: each page's query count through Django's test client against the same database and
  cache, right after a change to an event (both version series bumped), right after a
  registration (the data version only: facet counts, search matches and feed validators stay) and
  on a repeat, at both sizes; they must be the same at both sizes.

Goals (checked, exit status 1 when one is missed; with --quick they are printed only): the list
(filtered, free text), the event page, the home page and a national page >= 0.5 (for visitors who
are not signed in: the page cache), feed 304 >= 0.8, the map API (Europe at zoom 4, a city at
zoom 10) >= 0.2 and a coordinator's dashboard (their own copy) >= 0.1 of /healthz at the largest
size; the list, the event page and the home page for the first visitor after a change (events
changing without pause while they are measured, at least one change per request) >= 0.1; map
answers <= 200 KB at every size; the list's facet counts counted afresh in this process <= 50 ms
at the largest size; the same query counts at every size; no unexpected status. The table is written as JSON under
bench-results/ (git-ignored).

    python bench/site_load.py [--quick] [--seconds S] [--rounds N] [--connections N]
"""

import argparse
import contextlib
import json
import logging
import os
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._env import describe, set_environment  # noqa: E402

PG_SERVER = os.environ.get("EYOS_BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
PG_DB = os.environ.get("EYOS_BENCH_PG_DB", "eyos_bench")
REDIS_URL = os.environ.get("EYOS_BENCH_REDIS", "redis://127.0.0.1:6379/7")
WORKERS = {"postgresql": 3, "sqlite": 1}  # the Procfile's default (WEB_CONCURRENCY); see configure()
# Pages for visitors who are not signed in come from the page cache: >= 0.5 (issue 20).
GOALS = {"list, country + topic": 0.5, "list, free text": 0.5, "event page": 0.5, "home": 0.5,
         "national page": 0.5, "feed, 304": 0.8, "map, Europe, zoom 4": 0.2, "map, city, zoom 10": 0.2,
         "dashboard, coordinator": 0.1, "list, after a change": 0.1, "event page, after a change": 0.1,
         "home, after a change": 0.1, "event page, others registering": 0.5, "home, people registering": 0.5,
         "list, others registering": 0.5}
# Rows measured while the bench changes events without pause (what a write to an event does to
# the caches: both version series bumped, events.cache.events_changed), so every request is the
# first after a change and draws what depends on events (the whole list and event page; a campaign
# page's "upcoming events" blocks): the uncached render, against /healthz. The table gives the
# changes per request, a goal of at least 1 (PostgreSQL and Redis only: with the SQLite fallback
# the server's caches are not shared with this process and the rows are left out).
CHANGED = ("list, after a change", "event page, after a change", "home, after a change")
# And rows measured while people register for other events as fast as this process can
# (~400 a second, far more than a campaign sees; what a registration does to the caches: the data
# version and its registrations version bumped, events.cache.registrations_changed): the pages
# stay cached (issue 20: "every registration invalidates every cached page"), so their goal is a
# cached page's, on its ratio to /healthz measured while the same registrations go on (the
# registering thread shares the two cores). Not a first-visitor row: no changes-per-request goal.
REGISTERING = ("event page, others registering", "home, people registering", "list, others registering")
# The list's facet counts counted afresh (the first visitor after a change), in-process, at the
# largest size (issue 20: under 50 ms at 100,000 events).
FACETS_MAX_MS = 50
MAP_MAX_BYTES = 200_000  # the map API's promise (issue 15), at every size
# The map as a visitor first sees it (Europe at zoom 4) and zoomed on the big country's biggest
# city at zoom 10 (a 1280 x 800 screen).
MAP_EUROPE = "bbox=-11,34,45,71.5&zoom=4"
MAP_CITY = "bbox=28.1,40.7,29.9,41.3&zoom=10"

# Share of the events per country: one big country (as Türkiye in EU Code Week, ~24%), a few
# large ones, a long tail. Only the participating countries of the settings are used.
COUNTRY_WEIGHTS = {
    "TR": 24, "IT": 11, "PL": 6, "ES": 5, "RO": 5, "DE": 4, "FR": 4, "GR": 3, "PT": 3, "HU": 3, "UA": 3,
    "RS": 2, "BE": 2, "NL": 2, "AT": 2, "CZ": 2, "BG": 2, "HR": 2, "SK": 2, "MK": 1, "AL": 1, "BA": 1,
    "SI": 1.5, "IE": 1.5, "SE": 1.2, "DK": 1, "FI": 1, "LT": 1, "LV": 1, "EE": 1, "CY": 0.8, "MD": 0.8,
    "GE": 0.8, "MT": 0.7, "ME": 0.6, "NO": 0.6, "LU": 0.5, "IS": 0.3, "LI": 0.1,
}
TOPIC_WEIGHTS = {
    "digital-skills": 30, "matching-skills-and-jobs": 10, "green-skills": 10, "skills-relevance": 8,
    "invest-in-skills": 6, "attracting-talent": 6, "entrepreneurship": 8, "healthcare": 5, "construction": 4,
    "tourism": 5, "automotive": 4, "agri-food": 4,
}
KINDS = ["Workshop", "Job fair", "Webinar", "Hackathon", "Training day", "Open day", "Conference", "Bootcamp",
         "Masterclass", "Meetup"]
THEMES = ["coding for beginners", "robotics for schools", "data literacy", "green jobs of tomorrow",
          "careers in care", "skills for the energy transition", "apprenticeships", "start your own business",
          "AI in the workplace", "cybersecurity basics", "upskilling in construction", "tourism and hospitality"]
SEARCH_TERM = "hackathon"


# --- engine and environment (before Django starts) -------------------------------------------

def detect_engine():
    """("postgresql", reason) when PostgreSQL and Redis both answer, else ("sqlite", why not)."""
    problems = []
    try:
        import psycopg

        psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=3).close()
    except Exception as error:  # noqa: BLE001 - any failure means "not reachable"
        problems.append(f"PostgreSQL at {PG_SERVER}: {type(error).__name__}: {str(error).strip()[:120]}")
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=2).ping()
    except Exception as error:  # noqa: BLE001
        problems.append(f"Redis at {REDIS_URL}: {type(error).__name__}: {str(error).strip()[:120]}")
    return ("sqlite", "; ".join(problems)) if problems else ("postgresql", "")


def recreate_pg_database():
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(PG_DB)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(PG_DB)))


def drop_pg_database():
    import psycopg
    from psycopg import sql

    from django.db import connections

    connections.close_all()
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(PG_DB)))


def flush_redis():
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def configure(engine, workdir):
    """The environment of this process and of every process it starts."""
    values = {
        "DJANGO_SETTINGS_MODULE": "eyos.settings.production",
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": "bench-" + secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "SITE_URL": "http://127.0.0.1",
        "MEDIA_ROOT": str(workdir / "media"),
    }
    if engine == "postgresql":
        values["DATABASE_URL"] = f"{PG_SERVER}/{PG_DB}"
        values["REDIS_URL"] = REDIS_URL
    else:
        # Without Redis each worker has a cache of its own (feeds' ETags, data versions): one
        # worker keeps the answers consistent.
        values["DATABASE_URL"] = "sqlite:///" + str(workdir / "bench.sqlite3")
    values["EYOS_BENCH_WORKERS"] = WORKERS[engine]
    return set_environment(**values)


# --- data ------------------------------------------------------------------------------------

def weighted(rng, weights):
    names, values = zip(*weights.items())
    return lambda: rng.choices(names, values)[0]


def seed_base():
    """Locales, pages, topics and organisations (seed_demo), without its events; a coordinator of
    the big country; bench organisations in every country."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from coordinators.models import CoordinatorAssignment
    from events.models import Event, Organisation, Registration
    from eyos.accounts.demo import coordinators_group

    call_command("seed_demo", force=True, quiet_accounts=True, verbosity=0, stdout=open(os.devnull, "w"))
    Registration.objects.all().delete()
    Event.objects.all().delete()
    Organisation.objects.bulk_create([
        Organisation(name=f"Skills Partner {country} {n}", slug=f"bench-{country.lower()}-{n}", country=country,
                     verified=True)
        for country in settings.EYOS_COUNTRIES for n in range(6)
    ])
    user = get_user_model().objects.create_user(email="bench-coordinator-tr@example.org",
                                                password=secrets.token_urlsafe(16), is_staff=True)
    user.groups.add(coordinators_group())
    CoordinatorAssignment.objects.create(user=user, country="TR")
    return user


def seed_events(target, rng):
    """Adds events until there are `target`, with their topics, registrations and search index."""
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from events.demo import COUNTRY_LANGUAGE, place_in
    from events.models import Event, Organisation, Registration, Topic, link_topics
    from events.zones import country_timezones

    have = Event.objects.count()
    if have >= target:
        return 0
    started = time.perf_counter()
    countries = {code: weight for code, weight in COUNTRY_WEIGHTS.items() if code in settings.EYOS_COUNTRIES}
    pick_country = weighted(rng, countries)
    topics = {t.slug: t.pk for t in Topic.objects.filter(locale__language_code=settings.LANGUAGE_CODE)}
    pick_topic = weighted(rng, {slug: w for slug, w in TOPIC_WEIGHTS.items() if slug in topics})
    orgs = {}
    for pk, country in Organisation.objects.values_list("pk", "country"):
        orgs.setdefault(country, []).append(pk)
    zones = country_timezones()
    pick_status = weighted(rng, {"published": 88, "cancelled": 3, "submitted": 4, "draft": 3, "rejected": 2})
    pick_format = weighted(rng, {"onsite": 60, "online": 30, "hybrid": 10})
    now = timezone.now().replace(second=0, microsecond=0)
    october = now.replace(month=10, day=8, hour=9, minute=0)
    if october < now:
        october = october.replace(year=october.year + 1)
    made = 0
    places = random.Random(have)  # a stream of its own: the other choices stay as they were
    while have + made < target:
        batch = []
        for _ in range(min(10_000, target - have - made)):
            n = have + made + len(batch)
            country = pick_country()
            if rng.random() < 0.2:  # a Code-Week-like fortnight in October
                start = october + timedelta(hours=rng.randint(0, 14 * 24))
            else:  # a year back, a year and a half ahead
                start = now + timedelta(hours=rng.randint(-365 * 24, 540 * 24))
            start = start.replace(minute=rng.choice([0, 30]))
            kind, theme = rng.choice(KINDS), rng.choice(THEMES)
            status = pick_status()
            event_format = pick_format()
            city, latitude, longitude = f"City {country} {n % 25}", None, None
            if event_format != "online":  # in town (within a few km) or out in the region
                city, latitude, longitude = place_in(country, places, spread=0.04 if places.random() < 0.8 else 0.6)
            batch.append(Event(
                title=f"{kind}: {theme} #{n}", slug=f"bench-{n}",
                summary=f"A {kind.lower()} about {theme}, open to everyone.",
                description=f"<p>{kind} about {theme}.</p><p>Free of charge.</p>",
                language=COUNTRY_LANGUAGE.get(country, "en") if rng.random() < 0.75 else "en",
                format=event_format, online_url="https://meet.example.org/x" if event_format != "onsite" else "",
                venue="Skills Centre", address=f"{n % 200 + 1} Main Street", city=city,
                latitude=latitude, longitude=longitude,
                postcode=f"{1000 + n % 9000}", country=country, start=start,
                end=start + timedelta(hours=rng.choice([1, 2, 3, 8])), timezone=zones.get(country, "Europe/Brussels"),
                organisation_id=rng.choice(orgs[country]), status=status,
                capacity=rng.choice([None, None, 20, 30, 50, 100, 200]),
                registration_mode=rng.choices(["platform", "external", "none"], [80, 10, 10])[0],
                external_registration_url="https://example.org/register",
                submitted_at=start - timedelta(days=40) if status != "draft" else None,
                decided_at=start - timedelta(days=35) if status in ("published", "cancelled", "rejected") else None,
            ))
        events = Event.objects.bulk_create(batch, batch_size=2_000)
        links, registrations = [], []
        for event in events:
            chosen = {pick_topic() for _ in range(rng.choice([1, 1, 2]))}
            links += [(event.pk, topics[slug]) for slug in chosen]
            if event.status == "published" and event.registration_mode == "platform":
                for r in range(rng.choice([0, 0, 0, 1, 2, 3, 5, 8])):
                    registrations.append(Registration(
                        event_id=event.pk, name=f"Person {r}", email=f"p{event.pk}-{r}@example.org",
                        language=event.language, consent_at=now, consent_version="bench",
                        status=rng.choices(["confirmed", "pending", "waitlisted", "cancelled"], [80, 8, 4, 8])[0],
                    ))
        link_topics(links)
        Registration.objects.bulk_create(registrations, batch_size=5_000)
        index_events(events, connection)
        made += len(events)
    if connection.vendor == "postgresql":
        # What autovacuum does after a bulk load: without fresh statistics PostgreSQL plans the
        # list's queries for the table it had before (a plan 10-30x slower at 100,000 events), and
        # without the visibility map an index-only scan (the list's facets) still reads the table.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(f"  seeded {made:,} events (now {have + made:,}) in {time.perf_counter() - started:.0f} s")
    return made


def index_events(events, connection):
    """The search index entries of `events`: on PostgreSQL in one INSERT … SELECT building the same
    weighted vectors as wagtail's PostgreSQL backend (its own add_bulk builds them in Python, ~70 s
    for 100,000 events); elsewhere through the search backend."""
    from wagtail.search.backends import get_search_backend

    from events.models import Event

    backend = get_search_backend()
    if connection.vendor != "postgresql":
        backend.add_bulk(Event, events)
        return
    from django.contrib.contenttypes.models import ContentType
    from modelsearch.backends.database.postgres.weights import get_weight
    from modelsearch.index import SearchField

    weights = {f.field_name: get_weight(f.boost) for f in Event.get_search_fields() if isinstance(f, SearchField)}
    text = {"summary": "summary", "description": r"regexp_replace(description, '<[^>]+>', ' ', 'g')", "city": "city"}
    body = " || ".join(f"setweight(to_tsvector(COALESCE({expr}, '')), '{weights[name]}')" for name, expr in text.items())
    with connection.cursor() as cursor:
        cursor.execute(f"""
            INSERT INTO wagtailsearch_indexentry
                (content_type_id, object_id, title, autocomplete, body, title_norm, title_text, body_text)
            SELECT %s, id::text, setweight(to_tsvector(COALESCE(title, '')), '{weights["title"]}'),
                   setweight(to_tsvector('simple', COALESCE(title, '')), 'D'), {body}, 1.0, title,
                   concat_ws(' ', summary, {text["description"]}, city)
            FROM events_event WHERE id BETWEEN %s AND %s
            ON CONFLICT (content_type_id, object_id) DO NOTHING
        """, [ContentType.objects.get_for_model(Event).pk, min(e.pk for e in events), max(e.pk for e in events)])
    backend.get_index_for_model(Event)._refresh_title_norms()


# --- server and clients ----------------------------------------------------------------------

def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(workdir):
    port = free_port()
    log = open(workdir / "gunicorn.log", "ab")
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "eyos.wsgi", "-c", "eyos/gunicorn_conf.py",
         "--bind", f"127.0.0.1:{port}", "--workers", os.environ["EYOS_BENCH_WORKERS"]],
        cwd=ROOT, env=dict(os.environ), stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        if process.poll() is not None:
            break
        try:
            if fetch(base + "/healthz")[0] == 200:
                return process, base
        except OSError:
            time.sleep(0.2)
    process.kill()
    tail = (workdir / "gunicorn.log").read_text(errors="replace")[-3000:]
    raise SystemExit(f"gunicorn did not start:\n{tail}")


def workers_rss_mb(master_pid):
    """Resident memory (MB) of each gunicorn worker (the master's children), from /proc."""
    sizes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:  # gone meanwhile
            continue
        if fields.get("PPid", "").strip() == str(master_pid) and "VmRSS" in fields:
            sizes.append(round(int(fields["VmRSS"].split()[0]) / 1024, 1))
    return sorted(sizes)


def stop_server(process):
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def fetch(url, headers=None):
    """(status, headers, body) of one GET, on a fresh connection (as gunicorn's sync workers
    close every connection)."""
    parts = urlsplit(url)
    conn = HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def _ms(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * _UNITS[unit]


def run_wrk(url, seconds, connections, headers):
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    latency = dict(re.findall(r"^\s*(50|90|99)(?:\.0+)?%\s+(\S+)\s*$", out, re.M))
    if "99" not in latency or "Requests/sec" not in out:
        raise SystemExit(f"could not read wrk's output for {url}:\n{out}")
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read \d+, write (\d+), timeout (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "p50_ms": _ms(latency["50"]), "p99_ms": _ms(latency["99"]),
        "errors": (int(bad.group(1)) if bad else 0)
        + (sum(int(n) for n in socket_errors.groups()) if socket_errors else 0),
    }


def run_python_client(url, seconds, connections, headers):
    """Closed loop without wrk: `connections` threads, plain http.client, one request at a time."""
    latencies, errors, stop = [], [0], time.perf_counter() + seconds
    lock = threading.Lock()

    def client():
        mine = []
        while time.perf_counter() < stop:
            began = time.perf_counter()
            try:
                status = fetch(url, headers)[0]
            except OSError:
                status = 0
            mine.append(time.perf_counter() - began)
            if status >= 400 or status == 0:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(connections)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {"rps": len(latencies) / elapsed, "requests": len(latencies),
            "p50_ms": 1000 * statistics.median(latencies),
            "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))], "errors": errors[0]}


# --- the measured pages ----------------------------------------------------------------------

def pages(coordinator):
    """name → (path, headers for the test client/wrk, signed-in user or None, expected status)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from events.models import Event

    big = "TR"
    citizen = get_user_model().objects.get(email="citizen@example.org")  # a demo account
    topic = (Event.objects.filter(country=big, status="published").values("topics__slug")
             .annotate(n=Count("pk")).order_by("-n").first()["topics__slug"])
    # An upcoming published event with places and a registration form (its CSRF token matters).
    from django.utils import timezone

    event = (Event.objects.filter(country=big, status="published", registration_mode="platform",
                                  capacity__isnull=False, start__gt=timezone.now() + timedelta(days=30))
             .order_by("start").first())
    return {
        "list, country + topic": (f"/en/events/?country={big}&topic={topic}", {}, None, 200),
        "list, free text": (f"/en/events/?q={SEARCH_TERM}", {}, None, 200),
        # A signed-in citizen: their header around the list's shared part.
        "list, signed in": (f"/en/events/?country={big}&topic={topic}", {}, citizen, 200),
        "event page": (f"/en/events/{event.uid}/", {}, None, 200),
        "home": ("/en/", {}, None, 200),
        "national page": (f"/en/countries/{big.lower()}/", {}, None, 200),
        "feed, full": ("/feeds/events.ics", {}, None, 200),
        "feed, 304": ("/feeds/events.ics", {"If-None-Match": None}, None, 304),
        "dashboard, coordinator": (f"/admin/coordinators/dashboard/{big}/", {}, coordinator, 200),
        "map, Europe, zoom 4": (f"/api/map/events?{MAP_EUROPE}", {}, None, 200),
        "map, city, zoom 10": (f"/api/map/events?{MAP_CITY}", {}, None, 200),
        # The same pages for the first visitor after a change: an event changes before nearly
        # every request (see CHANGED), so each is drawn again instead of coming from the cache.
        "list, after a change": (f"/en/events/?country={big}&topic={topic}", {}, None, 200),
        "event page, after a change": (f"/en/events/{event.uid}/", {}, None, 200),
        "event page, others registering": (f"/en/events/{event.uid}/", {}, None, 200),
        # (the home page's "upcoming events" block shows no place counts: kept under the events version)
        "home, people registering": ("/en/", {}, None, 200),
        # (registrations for events outside Türkiye)
        "list, others registering": (f"/en/events/?country={big}&topic={topic}", {}, None, 200),
        "home, after a change": ("/en/", {}, None, 200),
    }


def count_queries(rows, repeat=3):
    """Per page: queries and time right after a write (to an event: both series bumped; or a
    registration for another event: the data version bumped) and on a repeat (served from the caches), through Django's test client."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from events.cache import bump_data_version, events_changed

    result = {}
    for name, (path, headers, user, expect) in rows.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        if "If-None-Match" in headers:  # the feed's current ETag
            headers = {**headers, "If-None-Match": client.get(path)["ETag"]}
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
        response = client.get(path, **extra)  # this process's own caches (content types, sites …)
        assert response.status_code == expect, (name, response.status_code)
        after_write, times, after_registration, registration_times = [], [], [], []
        for bump, counts, timings in ((events_changed, after_write, times),
                                      (bump_data_version, after_registration, registration_times)):
            for _ in range(repeat):
                bump()  # as a change to an event does, or as a registration does (data version only)
                with CaptureQueriesContext(connection) as queries:
                    began = time.perf_counter()
                    response = client.get(path, **extra)
                    timings.append(1000 * (time.perf_counter() - began))
                assert response.status_code == expect, (name, response.status_code)
                counts.append(len(queries))
        with CaptureQueriesContext(connection) as repeated:
            response = client.get(path, **extra)
        assert response.status_code == expect, (name, response.status_code)
        result[name] = {"queries_after_write": max(after_write), "queries_repeat": len(repeated),
                        "ms_after_write": statistics.median(times),
                        "queries_after_registration": max(after_registration),
                        "ms_after_registration": statistics.median(registration_times)}
    return result


def facet_timing(repeat=7):
    """The list's facet counts counted afresh in this process, as the first visitor after a change
    counts them for the "list, after a change" row (Türkiye and its most used topic): the facet
    cells' grouped count (one query, events.selectors._facet_cells; the same for every combination
    of the faceted filters) and their split into the four facets. Medians of `repeat`, ms."""
    from dataclasses import replace

    from django.db.models import Count
    from django.utils import timezone

    from events import selectors
    from events.criteria import EventFilters
    from events.models import Event

    topic = (Event.objects.filter(country="TR", status="published").values("topics__slug")
             .annotate(n=Count("pk")).order_by("-n").first()["topics__slug"])
    filters = EventFilters(countries=("TR",), topics=(topic,))
    others = replace(filters, countries=(), topics=(), format="", language="")
    counting, splitting = [], []
    for _ in range(repeat):
        now = timezone.now()
        began = time.perf_counter()
        cells = selectors._facet_cells(selectors.filtered_events(others, exclude=selectors.FACETED, now=now))
        counted = time.perf_counter()
        facets = selectors._facets_from_cells(cells, filters)
        splitting.append(1000 * (time.perf_counter() - counted))
        counting.append(1000 * (counted - began))
    result = {"ms": statistics.median(c + s for c, s in zip(counting, splitting, strict=True)),
              "query_ms": statistics.median(counting), "split_ms": statistics.median(splitting),
              "cells": len(cells), "total": facets["total"]}
    print(f"  facet counts afresh (list, Türkiye + a topic): {result['ms']:.1f} ms: the cells' query "
          f"{result['query_ms']:.1f} ms ({result['cells']:,} cells), their split {result['split_ms']:.1f} ms")
    return result


def signed_in_cookies(rows):
    """user id → the Cookie header of a browser signed in as that user: its session and the CSRF
    cookie its first page with a form gave it (sent with every page from then on)."""
    from django.conf import settings
    from django.test import Client

    cookies = {}
    for _path, _headers, user, _expect in rows.values():
        if user is not None and user.pk not in cookies:
            client = Client()
            client.force_login(user)
            client.get("/en/")  # the header's sign-out form: the CSRF cookie
            assert settings.CSRF_COOKIE_NAME in client.cookies, "no CSRF cookie for a signed-in visitor"
            cookies[user.pk] = "; ".join(f"{name}={client.cookies[name].value}"
                                         for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME))
    return cookies


def prepare_targets(base, rows, session_cookie):
    """name → (url, headers) of each row, each checked once (which also warms the caches)."""
    targets = {}
    for name, (path, headers, user, expect) in rows.items():
        headers = dict(headers)
        if user is not None:
            headers["Cookie"] = session_cookie[user.pk]
        if "If-None-Match" in headers:
            headers["If-None-Match"] = fetch(base + path)[1]["ETag"]
        status, _headers, body = fetch(base + path, headers)  # a check, and warms the caches
        if status != expect:
            raise SystemExit(f"{name}: {path} answered {status}, not {expect}")
        if name == "event page":  # its registration form, with a token of its own, also from the cache
            for _ in range(2):
                status, answer, body = fetch(base + path, headers)
                if b'name="csrfmiddlewaretoken"' not in body or b"eyos-page-cache-csrf-token-placeholder" in body \
                        or "csrftoken" not in answer.get("Set-Cookie", ""):
                    raise SystemExit(f"{name}: {path} has no registration form with its own CSRF token")
        targets[name] = (base + path, headers)
    return targets


def soak(base, rows, session_cookie, master_pid, seconds, connections):
    """Worker memory under a long mixed load: every page in turn on `connections` threads, an
    event changed every 10 s (so pages and counts are computed again, as on a live site). RSS of
    each worker at the start, every 5 minutes (the progress) and at the end."""
    from events.models import Event

    targets = list(prepare_targets(base, rows, session_cookie).values())
    stop = time.monotonic() + seconds
    served, errors = [0], [0]
    lock = threading.Lock()

    def client(offset):
        n = offset
        while time.monotonic() < stop:
            url, headers = targets[n % len(targets)]
            n += 1
            try:
                status = fetch(url, headers)[0]
            except OSError:
                status = 0
            with lock:
                served[0] += 1
                errors[0] += status == 0 or status >= 400
    threads = [threading.Thread(target=client, args=(i,)) for i in range(connections)]
    began = time.monotonic()
    samples = [(0, workers_rss_mb(master_pid))]
    print(f"soak: {seconds / 60:.0f} min of mixed load; workers' RSS (MB) at start: {samples[0][1]}", flush=True)
    for thread in threads:
        thread.start()
    events = list(Event.objects.filter(status="published").order_by("?").values_list("pk", flat=True)[:500])
    next_sample, n = began + 300, 0
    while time.monotonic() < stop:
        time.sleep(min(10, max(0.0, stop - time.monotonic())))
        event = Event.objects.get(pk=events[n % len(events)])
        event.summary = event.summary.rstrip(" .") + " ." if n % 2 else event.summary.rstrip(" .")
        event.save(update_fields=["summary", "updated_at"])
        n += 1
        if time.monotonic() >= next_sample:
            samples.append((round(time.monotonic() - began), workers_rss_mb(master_pid)))
            print(f"  {samples[-1][0] / 60:.0f} min: {served[0]:,} requests, RSS {samples[-1][1]}", flush=True)
            next_sample += 300
    for thread in threads:
        thread.join()
    samples.append((round(time.monotonic() - began), workers_rss_mb(master_pid)))
    # Growth is measured from the first sample after warm-up (5 minutes): until then the workers
    # fill their bounded caches (templates, URL resolvers, events.quickread's 32 MB per process),
    # which is not a leak; after it, memory must stay flat.
    start, warm, end = (sum(samples[0][1]), sum(samples[1 if len(samples) > 2 else 0][1]), sum(samples[-1][1]))
    print(f"soak: {served[0]:,} requests ({errors[0]} errors), {n} event changes; workers' RSS (MB) at start "
          f"{samples[0][1]}, after warm-up {samples[1 if len(samples) > 2 else 0][1]}, at end {samples[-1][1]}: "
          f"{end / warm:.2f}x after warm-up ({end / start:.2f}x from the start)")
    return {"seconds": seconds, "requests": served[0], "errors": errors[0], "event_changes": n,
            "rss_mb": [(t, [round(x, 1) for x in rss]) for t, rss in samples], "growth": end / warm,
            "growth_from_start": end / start}


def registering_elsewhere(name, url):
    """The events a REGISTERING row's registrations go to: 1,000 published events its page does
    not show (the list's page shows Türkiye's events: others are from elsewhere)."""
    from events.models import Event

    events = Event.objects.filter(status="published")
    if name.startswith("list"):
        events = events.exclude(country="TR")
    return [uid for uid in events.order_by("pk").values_list("uid", flat=True)[:1001] if str(uid) not in url][:1000]


def both_versions_bumper():
    """What events.cache.events_changed does to Redis (both version series incremented, the
    invalidations CLIENT TRACKING sends every worker), in one round trip: the thread that changes
    events must outpace the pages it measures on the two cores it shares with them (with two
    round trips it made ~335 changes a second under load, about one per home page served). The
    series are started by the real function first; without Redis, the real function each time."""
    from django.core.cache import cache

    from events.cache import EVENTS_KEY, KEY, events_changed

    events_changed()
    if not hasattr(cache, "_cache") or not hasattr(cache._cache, "get_client"):
        return events_changed
    keys = [cache.make_and_validate_key(KEY), cache.make_and_validate_key(EVENTS_KEY)]

    def bump_both():
        pipeline = cache._cache.get_client(write=True).pipeline(transaction=False)
        for key in keys:
            pipeline.incr(key)
        pipeline.execute()

    return bump_both


@contextlib.contextmanager
def changing(registrations=None):
    """While inside: events change without pause (both version series bumped, as a write to an
    event does, in one round trip: both_versions_bumper; up to ~700 times a second: more than these pages are served (a pause of 3 ms
    gave ~300, fewer than the home page is served on a quiet machine), and little of the CPU
    the server shares with this process); yields [number of changes].

    `registrations` (event uids): instead, registrations for those events, in turn, as fast
    (what a registration does to the caches: events.cache.registrations_changed)."""
    from events.cache import registrations_changed

    count, stop = [0], threading.Event()
    bump_both = both_versions_bumper() if registrations is None else None

    def change():
        while not stop.is_set():
            if registrations is None:
                bump_both()
            else:
                registrations_changed(registrations[count[0] % len(registrations)])
            count[0] += 1
            stop.wait(0.001)

    thread = threading.Thread(target=change)
    thread.start()
    try:
        yield count
    finally:
        stop.set()
        thread.join()


def measure(base, rows, args, session_cookie, master_pid=None):
    """Rounds of [/healthz, row, /healthz, row, …, /healthz]; each row's ratio is its rate over the
    mean of the /healthz runs just before and after it; the median ratio over the rounds."""
    runner = run_wrk if shutil.which("wrk") else run_python_client
    targets = prepare_targets(base, rows, session_cookie)
    sizes = {name: len(fetch(url, headers)[2]) for name, (url, headers) in targets.items()}
    rss_start = workers_rss_mb(master_pid) if master_pid else []
    load_began = time.monotonic()
    runs = {name: [] for name in rows}
    health_runs, ratios, health_changing = [], {name: [] for name in rows}, []
    for _round in range(args.rounds):
        if any(name in CHANGED for name in targets):
            # For information only: /healthz while the bench changes events as in the "after a
            # change" rows (this process's thread and the cache's invalidation messages take part
            # of the same two cores). First in the round, so every row keeps /healthz right
            # before and after it.
            with changing():
                health_changing.append(runner(base + "/healthz", args.seconds, args.connections, {}))
        before = runner(base + "/healthz", args.seconds, args.connections, {})
        health_runs.append(before)
        for name, (url, headers) in targets.items():
            if name in REGISTERING:
                # /healthz while the same registrations go on, just before the row: its goal is
                # on that ratio (the registering thread of this process shares the two cores).
                elsewhere = registering_elsewhere(name, url)
                with changing(elsewhere):
                    health = runner(base + "/healthz", args.seconds, args.connections, {})
                with changing(elsewhere) as changes:
                    run = runner(url, args.seconds, args.connections, headers)
                run["changes_per_request"] = changes[0] / max(1, run["requests"])
                run["ratio_to_healthz_changing"] = run["rps"] / max(health["rps"], 1e-9)
            elif name in CHANGED:
                with changing() as changes:
                    run = runner(url, args.seconds, args.connections, headers)
                run["changes_per_request"] = changes[0] / max(1, run["requests"])
                run["ratio_to_healthz_changing"] = run["rps"] / max(health_changing[-1]["rps"], 1e-9)
            else:
                run = runner(url, args.seconds, args.connections, headers)
            after = runner(base + "/healthz", args.seconds, args.connections, {})
            health_runs.append(after)
            run["ratio"] = run["rps"] / ((before["rps"] + after["rps"]) / 2)
            runs[name].append(run)
            ratios[name].append(run["ratio"])
            before = after
    table = {"/healthz": {"rps": statistics.median(r["rps"] for r in health_runs),
                          "p50_ms": statistics.median(r["p50_ms"] for r in health_runs),
                          "p99_ms": statistics.median(r["p99_ms"] for r in health_runs),
                          "errors": sum(r["errors"] for r in health_runs), "ratio": 1.0,
                          "ratios": [1.0]}}
    for name, name_runs in runs.items():
        table[name] = {"rps": statistics.median(r["rps"] for r in name_runs),
                       "p50_ms": statistics.median(r["p50_ms"] for r in name_runs),
                       "p99_ms": statistics.median(r["p99_ms"] for r in name_runs),
                       "errors": sum(r["errors"] for r in name_runs),
                       "ratio": statistics.median(ratios[name]), "ratios": [round(x, 3) for x in ratios[name]],
                       "bytes": sizes[name]}
        if name in CHANGED or name in REGISTERING:
            table[name]["changes_per_request"] = round(min(r["changes_per_request"] for r in name_runs), 2)
            table[name]["ratio_to_healthz_changing"] = statistics.median(
                r["ratio_to_healthz_changing"] for r in name_runs)
    if health_changing:
        table["/healthz"]["rps_while_changing"] = statistics.median(r["rps"] for r in health_changing)
        table["/healthz"]["errors"] += sum(r["errors"] for r in health_changing)
    table["/healthz"]["workers_rss_mb"] = {
        "after_warm_up": [round(x, 1) for x in rss_start],
        "after_load": [round(x, 1) for x in (workers_rss_mb(master_pid) if master_pid else [])],
        "seconds_of_load": round(time.monotonic() - load_began)}
    return table, runner.__name__


def run_size(size, rng, coordinator, args, workdir):
    from django.core.cache import cache

    print(f"\n{size:,} events")
    seed_events(size, rng)
    cache.clear()  # nothing cached from the smaller size
    rows = pages(coordinator)
    if args.only:
        rows = {name: row for name, row in rows.items() if any(word in name for word in args.only.split(","))}
    if args.engine != "postgresql":  # the server's caches are its own: changes made here never reach them
        print(f"(SQLite fallback: the rows {', '.join(CHANGED + REGISTERING)} are not measured)")
        rows = {name: row for name, row in rows.items() if name not in CHANGED + REGISTERING}
    queries = count_queries(rows)
    facets = facet_timing()
    session_cookie = signed_in_cookies(rows)
    process, base = start_server(workdir)
    soaked = None
    try:
        table, client_name = measure(base, rows, args, session_cookie, master_pid=process.pid)
        if args.soak and size == args.largest:
            soaked = soak(base, rows, session_cookie, process.pid, args.soak, args.connections)
    finally:
        stop_server(process)
    print(f"{'page':<24}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'x healthz':>10}{'errors':>7}"
          f"{'queries':>9}{'repeat':>7}{'ms after write':>16}{'after reg.':>11}{'bytes':>9}")
    for name, row in table.items():
        q = queries.get(name, {})
        row.update(q)
        print(f"{name:<24}{row['rps']:>8.0f}{row['p50_ms']:>8.1f}{row['p99_ms']:>8.1f}{row['ratio']:>10.3f}"
              f"{row['errors']:>7}{q.get('queries_after_write', 0):>9}{q.get('queries_repeat', 0):>7}"
              f"{q.get('ms_after_write', 0):>16.1f}{q.get('ms_after_registration', 0):>11.1f}"
              f"{row.get('bytes', 0):>9}")
    for name in REGISTERING:
        if name in table:
            print(f"{name}: {table[name]['changes_per_request']} registrations for other events per request "
                  f"(the least of the rounds); {table[name]['ratio_to_healthz_changing']:.3f} x /healthz measured "
                  "while the same registrations go on (the goal's ratio)")
    for name in CHANGED:
        if name in table:
            print(f"{name}: {table[name]['changes_per_request']} changes per request (the least of the rounds); "
                  f"{table[name]['ratio_to_healthz_changing']:.3f} x /healthz measured while the same changes go on "
                  f"({table['/healthz']['rps_while_changing']:.0f} req/s; for information, the goal is on the "
                  "ratio above)")
    memory = table["/healthz"]["workers_rss_mb"]
    print(f"workers' memory (RSS, MB each): {memory['after_warm_up']} after warm-up, {memory['after_load']} after "
          f"{memory['seconds_of_load']} s of mixed load")
    return {"rows": table, "client": client_name, "soak": soaked, "facets": facets}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 1,000 and 3,000 events, 1 s per row, one round; goals not enforced")
    parser.add_argument("--seconds", type=float, help="seconds per row and per /healthz run (default 3; quick 1)")
    parser.add_argument("--rounds", type=int, help="rounds over all rows (default 3; quick 1)")
    parser.add_argument("--connections", type=int, default=6, help="concurrent clients (default 6)")
    parser.add_argument("--sizes", help="comma-separated event counts (default 10000,100000)")
    parser.add_argument("--only", help="measure only the pages whose names contain one of these comma-separated words")
    parser.add_argument("--soak", type=float, default=0,
                        help="then, at the largest size, SECONDS of mixed load (3600: an hour) and the workers' "
                             "memory at start, after 5 minutes' warm-up and at end (goal: at most 1.10x after warm-up)")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database and Redis data afterwards")
    args = parser.parse_args()
    args.seconds = args.seconds or (1 if args.quick else 3)
    args.rounds = args.rounds or (1 if args.quick else 3)
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else ([1_000, 3_000] if args.quick
                                                                          else [10_000, 100_000])
    args.largest = sizes[-1]

    load_before = os.getloadavg()
    engine, why = detect_engine()
    args.engine = engine
    workdir = Path(tempfile.mkdtemp(prefix="eyos-bench-"))
    dropped = configure(engine, workdir)
    print("Site benchmark: eyos.settings.production, gunicorn (eyos/gunicorn_conf.py) with "
          f"{WORKERS[engine]} worker(s) on loopback, {'wrk' if shutil.which('wrk') else 'a Python client (wrk not found)'}, "
          f"{args.connections} connections, {args.seconds:g} s per run, {args.rounds} round(s)")
    if engine == "postgresql":
        print(f"Engine: PostgreSQL ({PG_SERVER}/{PG_DB}, created for this run) and Redis ({REDIS_URL}, flushed)")
        recreate_pg_database()
        flush_redis()
    else:
        print("FALLBACK: SQLite, a local-memory cache and one gunicorn worker, NOT the deployed configuration "
              f"({why})")
    if dropped:
        print(describe(dropped))
    print(f"load average before: {load_before[0]:.1f} (other processes on this machine skew absolute numbers; "
          "the ratios to /healthz, measured around each row, much less)")

    import django

    django.setup()
    logging.getLogger().setLevel(logging.WARNING)  # production logs every page seed_demo creates
    from django.core.management import call_command

    report = {"engine": engine, "fallback_reason": why, "settings": "eyos.settings.production",
              "workers": WORKERS[engine], "connections": args.connections, "seconds": args.seconds,
              "rounds": args.rounds, "quick": args.quick, "sizes": {}}
    try:
        began = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        coordinator = seed_base()
        print(f"migrated and seeded pages, accounts and topics in {time.perf_counter() - began:.0f} s")
        rng = random.Random(2023)
        for size in sizes:
            report["sizes"][size] = run_size(size, rng, coordinator, args, workdir)
    finally:
        from django.db import connections

        connections.close_all()
        if engine == "postgresql" and args.keep:
            print(f"kept: database {PG_DB} (DATABASE_URL={PG_SERVER}/{PG_DB}) and Redis {REDIS_URL}")
        elif engine == "postgresql":
            drop_pg_database()
            flush_redis()
        shutil.rmtree(workdir, ignore_errors=True)

    report["load_average"] = {"before": load_before[0], "after": os.getloadavg()[0]}
    goals = check_goals(report, sizes)
    report["goals"] = goals
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    path = out / f"site-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(report, indent=2, default=str))
    print(f"written: {path.relative_to(ROOT)}")
    missed = [goal for goal, met in goals.items() if not met]
    if missed and args.quick:
        print("(--quick: goals are not enforced)")
        return 0
    return 1 if missed else 0


def check_goals(report, sizes):
    largest = report["sizes"][sizes[-1]]["rows"]
    goals = {f"{name} >= {goal} x /healthz at {sizes[-1]:,} events": largest[name]["ratio"] >= goal
             for name, goal in GOALS.items() if name in largest and name not in REGISTERING}
    for name in REGISTERING:
        if name in largest:
            ratio = largest[name]["ratio_to_healthz_changing"]
            goals[f"{name} >= {GOALS[name]} x /healthz measured while the same registrations go on, at "
                  f"{sizes[-1]:,} events ({ratio:.3f})"] = ratio >= GOALS[name]
    for name in largest:
        if name == "/healthz":
            continue
        counts = {size: (report["sizes"][size]["rows"][name]["queries_after_write"],
                         report["sizes"][size]["rows"][name]["queries_after_registration"],
                         report["sizes"][size]["rows"][name]["queries_repeat"]) for size in sizes}
        goals[f"{name}: the same queries at {' and '.join(f'{s:,}' for s in sizes)} events {counts[sizes[0]]}"] = (
            len(set(counts.values())) == 1)
    facets = report["sizes"][sizes[-1]]["facets"]
    goals[f"facet counts afresh <= {FACETS_MAX_MS} ms at {sizes[-1]:,} events ({facets['ms']:.1f} ms)"] = (
        facets["ms"] <= FACETS_MAX_MS)
    for name in CHANGED:
        if name in largest:  # otherwise some requests found their page in the cache
            changes = largest[name]["changes_per_request"]
            goals[f"{name}: at least one change per request ({changes})"] = changes >= 1
    for name in largest:
        if name.startswith("map"):
            sizes_bytes = {size: report["sizes"][size]["rows"][name]["bytes"] for size in sizes}
            goals[f"{name}: answers <= {MAP_MAX_BYTES:,} bytes ({sizes_bytes})"] = (
                max(sizes_bytes.values()) <= MAP_MAX_BYTES)
    soaked = report["sizes"][sizes[-1]].get("soak")
    if soaked:
        goals[f"workers' memory flat over {soaked['seconds'] / 60:.0f} min of mixed load: <= 1.10x after warm-up "
              f"({soaked['growth']:.2f}x)"] = soaked["growth"] <= 1.10 and not soaked["errors"]
    errors = {f"{size:,} {name}": row["errors"] for size in sizes
              for name, row in report["sizes"][size]["rows"].items() if row["errors"]}
    goals["no unexpected status" + (f" ({errors})" if errors else "")] = not errors
    print()
    for goal, met in goals.items():
        print(f"goal: {goal}: {'met' if met else 'NOT MET'}")
    return goals


if __name__ == "__main__":
    sys.exit(main())
