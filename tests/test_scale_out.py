"""Scale-out on PostgreSQL (`make test-pg`): two gunicorn app servers on different ports share one
PostgreSQL and one Redis, as behind a load balancer. Registrations spread over both never
oversell; an edit is visible on both at once (page, list and feed); a session started on one works
on the other."""

import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from django.db import connection
from django.utils import timezone

from events import services
from events.models import Event, Organisation, Registration
from tests.threads import in_thread as committed

pytestmark = [pytest.mark.pg, pytest.mark.django_db]
ROOT = Path(__file__).resolve().parents[1]
REDIS_URL = "redis://127.0.0.1:6379/14"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_available():
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def servers(django_db_setup):
    if not redis_available():
        pytest.fail("Redis is not running on 127.0.0.1:6379 (.ci/run starts it)")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    settings = connection.settings_dict
    url = f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "eyos.settings.test", "DATABASE_URL": url, "REDIS_URL": REDIS_URL}
    processes, bases = [], []
    for _ in range(2):
        port = free_port()
        processes.append(subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "eyos.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", "2", "--threads", "4", "--env", "DJANGO_SETTINGS_MODULE=eyos.settings.test"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(f"/tmp/eyos-scale-out-{port}.log", "w"),
        ))
        bases.append(f"http://127.0.0.1:{port}")
    try:
        for base in bases:
            for _ in range(150):
                try:
                    if requests.get(base + "/healthz", timeout=5).status_code == 200:
                        break
                except requests.RequestException:  # still booting
                    time.sleep(0.4)
            else:
                pytest.fail(f"gunicorn on {base} did not start")
        yield bases
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=20)


@pytest.fixture
def event():
    def make():
        org = Organisation.objects.create(name="Scale Org", slug=f"scale-{uuid.uuid4().hex[:8]}", country="FR")
        start = timezone.now() + timedelta(days=5)
        return Event.objects.create(
            title="Scale-out workshop", slug=f"scale-{uuid.uuid4().hex[:8]}", summary="x", country="FR",
            organisation=org, start=start, end=start + timedelta(hours=1), timezone="Europe/Paris", city="Lyon",
            address="1 rue", status=Event.Status.PUBLISHED, capacity=10,
        )

    made = committed(make)
    yield made

    def cleanup():
        Event.objects.filter(pk=made.pk).delete()
        Organisation.objects.filter(pk=made.organisation_id).delete()

    committed(cleanup)


def csrf_post(session, url, data):
    page = session.get(url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return session.post(url, data={"csrfmiddlewaretoken": token, **data}, headers={"Referer": url})


def test_registrations_spread_over_two_servers_never_oversell(servers, event):
    def pending():
        return [services.registration_token(services.registration_create(
            event=event, name=f"P{i}", email=f"scale{i}@example.org", consent=True, language="en"), "confirm")
            for i in range(30)]

    tokens = committed(pending)
    barrier = threading.Barrier(len(tokens))
    codes = []

    def confirm(i, token):
        session = requests.Session()
        url = f"{servers[i % 2]}/en/registrations/confirm/{token}/"
        page = session.get(url)
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        barrier.wait()
        codes.append(session.post(url, data={"csrfmiddlewaretoken": csrf}, headers={"Referer": url}).status_code)

    threads = [threading.Thread(target=confirm, args=(i, token)) for i, token in enumerate(tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert codes == [200] * 30

    def counts():
        rows = Registration.objects.filter(event=event)
        return rows.filter(status="confirmed").count(), rows.filter(status="waitlisted").count()

    assert committed(counts) == (10, 20)


def test_an_edit_is_visible_on_both_servers_at_once(servers, event, settings):
    # The edit is made by this process acting as a third app instance: like every instance it
    # shares the database and the cache with the others (so its write bumps the shared data
    # version that the servers' cached pages and feeds are keyed by).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                                   "KEY_PREFIX": "eyos"}}  # as eyos.settings.base configures it
    for base in servers:  # warm every cache first: page, list, feed
        requests.get(f"{base}/en/events/{event.uid}/")
        requests.get(f"{base}/feeds/countries/fr.ics")
        requests.get(f"{base}/en/events/?country=FR&q=scale")
    committed(lambda: services.event_update(
        user=_coordinator(), event=event, data={"title": "Renamed on one server"}))
    for base in servers:
        assert "Renamed on one server" in requests.get(f"{base}/en/events/{event.uid}/").text
        assert "Renamed on one server" in requests.get(f"{base}/feeds/countries/fr.ics").text
        assert "Renamed on one server" in requests.get(f"{base}/en/events/?country=FR").text


def test_a_registration_shows_on_its_event_page_on_both_servers_at_once(servers, event, settings):
    """The event page is cached under its event's own series (not the data version): the
    registration's bump of that series, made by this process, reaches both servers' copies."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                                   "KEY_PREFIX": "eyos"}}  # as eyos.settings.base configures it
    url = f"/en/events/{event.uid}/"
    for base in servers:  # each caches the page (a second request comes from the cache)
        assert "10 / 10" in requests.get(base + url).text
        assert "10 / 10" in requests.get(base + url).text

    def register():
        from django.contrib.auth import get_user_model

        person = get_user_model().objects.create_user(email=f"reg-{uuid.uuid4().hex[:6]}@example.org",
                                                      password="a-long-password-1")
        return services.registration_create(event=event, name="Ana", email=person.email, consent=True,
                                            language="en", user=person)

    assert committed(register).status == "confirmed"
    for base in servers:
        assert "9 / 10" in requests.get(base + url).text


def _coordinator():
    from coordinators.models import CoordinatorAssignment
    from django.contrib.auth import get_user_model

    person = get_user_model().objects.create_user(email=f"scale-{uuid.uuid4().hex[:6]}@example.org",
                                                  password="a-long-password-1")
    CoordinatorAssignment.objects.create(user=person, country="FR")
    return person


def test_a_session_started_on_one_server_works_on_the_other(servers, db):
    session = requests.Session()
    response = csrf_post(session, f"{servers[0]}/en/accounts/login/",
                         {"login": "citizen@example.org", "password": "eyos-demo-2023"})
    assert response.status_code == 200 and "/accounts/login/" not in response.url
    other = session.get(f"{servers[1]}/en/registrations/", allow_redirects=False)
    assert other.status_code == 200 and "My registrations" in other.text


def test_a_country_taken_away_is_gone_on_both_servers_at_once(servers, settings):
    """A coordinator's rights are read from the shared cache under the people version
    (tests/eyos/test_cached_rights.py): taking a country away on one app instance shuts the
    dashboard on every server on the next request, though each had just served it from its cache."""
    from django.test import Client

    from coordinators.models import CoordinatorAssignment

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                                   "KEY_PREFIX": "eyos"}}  # as eyos.settings.base configures it
    def coordinator_of_two():
        person = _coordinator()  # France
        CoordinatorAssignment.objects.create(user=person, country="DE")
        return person

    person = committed(coordinator_of_two)

    def sign_in():
        client = Client()
        client.force_login(person)
        return client.cookies["sessionid"].value

    session = requests.Session()
    session.cookies.set("sessionid", committed(sign_in))
    url = "/admin/coordinators/dashboard/FR/"
    for base in servers:
        for _ in range(3):  # the rights read once, then from the cache; the page kept as the user's copy
            response = session.get(base + url, allow_redirects=False)
            assert response.status_code == 200 and "Dashboard" in response.text
    # France taken away; Germany kept, so the admin stays open to them and the answer is the
    # dashboard's own country check (coordinators.permissions.coordinator_countries).
    committed(lambda: CoordinatorAssignment.objects.filter(user=person, country="FR").delete())
    for base in servers:
        assert session.get(base + url, allow_redirects=False).status_code == 404
        assert session.get(base + "/admin/coordinators/dashboard/DE/", allow_redirects=False).status_code == 200
