"""Feed benchmark (`make bench`). Everything is measured in this one run, on this machine:

- django-ical rendering the same events (the reference);
- our cold render (empty cache: every VEVENT built), which must be no slower than django-ical;
- our warm feed served through the whole Django stack, which must be >= 10x faster;
- growth of the cold render from 500 to 2,000 to 8,000 events, which should be linear.

It builds its own throwaway SQLite database and uses bench/settings.py (the test settings with a
local-memory cache big enough for every VEVENT), whatever DJANGO_SETTINGS_MODULE, DATABASE_URL or
REDIS_URL the caller exported; nothing else is touched. --quick: smaller feeds (a smoke run), goals
printed but not enforced."""

import io
import os
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
DROPPED = set_environment(
    DJANGO_SETTINGS_MODULE="bench.settings",
    DATABASE_URL="sqlite:///" + os.environ.get("EYOS_BENCH_DB", str(Path(tempfile.mkdtemp()) / "bench.sqlite3")),
)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

SIZES = (250, 500, 1000) if QUICK else (500, 2000, 8000)
REFERENCE = SIZES[1]  # the goals are checked on this feed
ZONES = ["Europe/Paris", "Europe/Berlin", "Europe/Helsinki", "Europe/Lisbon", "Europe/Athens", "Europe/Dublin"]


def best(fn, repeat=5):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def make_events(n, country):
    from wagtail.models import Locale

    from events.models import Event, Organisation, Topic, link_topics

    org = Organisation.objects.create(name=f"Bench {country}", slug=f"bench-{country.lower()}", country=country)
    topic, _ = Topic.objects.get_or_create(slug="bench", locale=Locale.get_default(), defaults={"name": "Bench topic"})
    now = timezone.now().replace(microsecond=0)
    events = []
    for i in range(n):
        start = now + timedelta(hours=6 * i % (24 * 500))
        events.append(Event(
            title=f"Workshop {i}: digital skills for everyone", slug=f"bench-{country}-{i}",
            summary="A hands-on workshop about digital skills.", description="<p>Bring a laptop.</p><p>Free.</p>",
            language="en", format="onsite", venue="Skills Centre", address=f"{i} Main Street", city="Town",
            postcode="1000", country=country, start=start, end=start + timedelta(hours=2),
            timezone=ZONES[i % len(ZONES)], organisation=org, status=Event.Status.PUBLISHED,
        ))
    Event.objects.bulk_create(events, batch_size=1000)
    link_topics((e.pk, topic.pk) for e in events)


def django_ical_render(events):
    from django_ical.feedgenerator import ICal20Feed

    from events import feeds

    feed = ICal20Feed(title="Events", link="http://testserver/", description="Events")
    for event in events:
        feed.add_item(
            title=event.title, link=feeds.event_url(event), description=event.summary,
            unique_id=feeds.event_uid(event), start_datetime=event.start.astimezone(event.tzinfo),
            end_datetime=event.end.astimezone(event.tzinfo), location=feeds.location(event),
            updateddate=event.updated_at, categories=[t.name for t in event.topics.all()],
        )
    out = io.BytesIO()
    feed.write(out, "utf-8")  # django-ical writes bytes (its writeString expects text)
    return out.getvalue()


def main():
    call_command("migrate", verbosity=0)
    from events import feeds, selectors
    from events.criteria import EventFilters

    countries = ["MT", "LU", "CY"]  # one country per size
    for size, country in zip(SIZES, countries):
        make_events(size, country)
    client = Client()
    cache_config = settings.CACHES["default"]
    print(f"Feed benchmark (python {sys.version.split()[0]}, {settings.SETTINGS_MODULE}, SQLite, cache "
          f"{cache_config['BACKEND'].rsplit('.', 1)[-1]} of {cache_config['OPTIONS']['MAX_ENTRIES']:,} entries"
          f"{', quick' if QUICK else ''})")
    if DROPPED:
        print(describe(DROPPED))
    results = {}
    for size, country in zip(SIZES, countries):
        events = selectors.feed_events(EventFilters(countries=(country,)))
        assert len(events) == size, (len(events), size)

        def cold():
            cache.clear()
            feeds.render_calendar(events, name="Bench", language="en")

        reference, _ = best(lambda: django_ical_render(events), repeat=3)
        cold_time, _ = best(cold, repeat=3)
        url = f"/feeds/countries/{country.lower()}.ics"
        client.get(url)  # warm the caches
        warm_time, warm_median = best(lambda: client.get(url), repeat=20)
        results[size] = (reference, cold_time, warm_time)
        print(f"{size:>5} events: django-ical {reference * 1000:7.1f} ms | cold render {cold_time * 1000:7.1f} ms "
              f"({reference / cold_time:4.2f}x django-ical) | warm feed served {warm_time * 1000:6.1f} ms "
              f"(median {warm_median * 1000:.1f}) = {reference / warm_time:5.1f}x faster than django-ical")
    per_event = {size: results[size][1] / size * 1e6 for size in SIZES}
    print("cold render per event: " + ", ".join(f"{size}: {us:.0f} µs" for size, us in per_event.items()))
    growth = results[SIZES[-1]][1] / results[SIZES[0]][1]
    print(f"growth {SIZES[0]} → {SIZES[-1]} events ({SIZES[-1] // SIZES[0]}x): cold render x{growth:.1f} "
          f"(linear would be x{SIZES[-1] // SIZES[0]})")
    reference, cold_time, warm_time = results[REFERENCE]
    goals = {
        f"warm {REFERENCE:,}-event feed >= 10x faster than django-ical": reference / warm_time >= 10,
        "cold render no slower than django-ical": cold_time <= reference * 1.05,
    }
    for goal, met in goals.items():
        print(f"goal: {goal}: {'met' if met else 'NOT MET'}")
    if QUICK and not all(goals.values()):
        print("(--quick: goals are not enforced)")
        return 0
    return 0 if all(goals.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
