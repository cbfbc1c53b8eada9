"""A cache outage degrades, never breaks: with Redis unreachable the public pages, feeds and
registration answer from the database, rate limits still count, /readyz says so, and nothing
cached before the outage is served as current after it.

"Unreachable" is a real Redis client pointed at a closed port (connection refused), or the real
Redis on this machine with its client's calls failing as they do when the server goes away."""

import socket
import time

import pytest
import redis
from django.core.cache import caches
from django.test import override_settings

from eyos import cache as eyos_cache
from tests import factories

pytestmark = pytest.mark.django_db

REDIS_URL = "redis://127.0.0.1:6379/11"


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the socket is: connections are refused


def redis_settings(url, backend="eyos.cache.ResilientRedisCache", **options):
    config = {"BACKEND": backend, "LOCATION": url, "KEY_PREFIX": f"t{time.time_ns()}"}
    if backend == "eyos.cache.ResilientRedisCache":
        config["OPTIONS"] = {
            "socket_connect_timeout": 0.2,
            "socket_timeout": 0.2,
            "RETRY_AFTER": 5,
            "LOCAL_FALLBACK_PREFIXES": ["eyos:rl:", "allauth:rl:"],
            "RECOVERY_HOOKS": ["events.cache.after_cache_outage"],
            **options,
        }
    return {"default": config}


@pytest.fixture(autouse=True)
def _fresh_breakers():
    eyos_cache._states.clear()
    yield
    eyos_cache._states.clear()


def redis_is_running():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.2).ping()
        return True
    except redis.exceptions.RedisError:
        return False


needs_redis = pytest.mark.skipif(not redis_is_running(), reason="needs Redis on 127.0.0.1:6379")


@pytest.fixture
def down():
    """The default cache is a Redis that refuses connections."""
    with override_settings(CACHES=redis_settings(f"redis://127.0.0.1:{closed_port()}/0")):
        yield caches["default"]


@pytest.fixture
def event(db):
    return factories.published_event(factories.organisation("FR"), capacity=5, title="Atelier CV")


def test_reads_miss_writes_are_dropped_and_the_breaker_stops_retrying(down, monkeypatch):
    assert down.get("anything", "default") == "default"
    down.set("key", "value")
    assert down.add("key", "value") is False
    assert down.get_many(["a", "b"]) == {}
    assert down.set_many({"a": 1}) == ["a"]
    with pytest.raises(ValueError):
        down.incr("counter")
    # The breaker is open now: no more connection attempts until RETRY_AFTER has passed.
    attempts = []
    monkeypatch.setattr(redis.Redis, "execute_command", lambda *a, **k: attempts.append(a))
    for _ in range(20):
        down.get("anything")
    assert attempts == []
    assert down.outage_stats()["errors"] >= 1 and down.outage_stats()["down_since"] is not None


def test_rate_limit_counters_do_not_fail_open(down):
    from events import ratelimit

    results = [ratelimit.hit("register-ip", "192.0.2.1", limit=3, window=60) for _ in range(5)]
    assert results == [True, True, True, False, False]


def test_with_a_plain_redis_cache_the_site_breaks_negative_control(event, client):
    """What the resilient backend prevents: Django's own RedisCache raises on every page."""
    with override_settings(CACHES=redis_settings(f"redis://127.0.0.1:{closed_port()}/0",
                                                 backend="django.core.cache.backends.redis.RedisCache")):
        client.raise_request_exception = True
        with pytest.raises(redis.exceptions.ConnectionError):
            client.get(f"/en/events/{event.uid}/")


def test_public_pages_feeds_and_registration_answer_from_the_database(down, event, client, django_capture_on_commit_callbacks):
    from django.core import mail

    from events.models import Registration

    for path in ["/en/", "/en/events/", "/en/events/?country=FR&q=atelier", f"/en/events/{event.uid}/",
                 "/feeds/events.ics", "/feeds/countries/fr.ics", f"/feeds/events/{event.uid}.ics"]:
        response = client.get(path)
        assert response.status_code == 200, path
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/events/{event.uid}/register/",
                               {"name": "Anne", "email": "anne@example.org", "consent": "on"})
    assert response.status_code == 200
    assert Registration.objects.filter(event=event, email="anne@example.org").count() == 1
    assert [m.to for m in mail.outbox] == [["anne@example.org"]]  # the email task needs no cache


def test_readyz_reports_the_cache_and_the_database(client, monkeypatch):
    assert client.get("/readyz").status_code == 200
    with override_settings(CACHES=redis_settings(f"redis://127.0.0.1:{closed_port()}/0")):
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["cache"] == "unavailable" and response.json()["database"] == "ok"
        assert client.get("/healthz").status_code == 200  # liveness does not depend on either

    from django.db import OperationalError, connection

    def broken_cursor(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["database"] == "unavailable"


def test_an_unready_probe_is_a_warning_naming_the_dependency_not_a_server_error(client, caplog):
    import logging

    with override_settings(CACHES=redis_settings(f"redis://127.0.0.1:{closed_port()}/0")):
        with caplog.at_level(logging.INFO):
            assert client.get("/readyz").status_code == 503
    records = [(r.name, r.levelname, r.getMessage()) for r in caplog.records]
    assert ("eyos.readyz", "WARNING", "Not ready: cache") in records
    assert not [r for r in records if r[0] == "django.request"]


def test_other_503s_are_still_logged_by_django_negative_control(caplog):
    """The filter drops the probe's record only."""
    import logging

    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.utils.log import log_response

    request = RequestFactory().get("/en/events/")
    with caplog.at_level(logging.INFO):
        log_response("Service Unavailable: %s", request.path, response=HttpResponse(status=503), request=request)
    assert [(r.name, r.levelname) for r in caplog.records] == [("django.request", "ERROR")]


@needs_redis
def test_a_write_dropped_during_an_outage_invalidates_the_cache_on_recovery(monkeypatch):
    """A data-version bump lost while Redis was away must not leave pre-outage pages current."""
    from events import cache as data_cache

    with override_settings(CACHES=redis_settings(REDIS_URL, RETRY_AFTER=0)):
        cache = caches["default"]
        before = data_cache.data_version()
        from events import pagecache

        pages_before = pagecache._pages_version()
        stored = data_cache.cached(["page"], lambda: "old page")
        assert stored == "old page"

        real = redis.Redis.execute_command

        def unreachable(*args, **kwargs):
            raise redis.exceptions.ConnectionError("Connection refused")

        monkeypatch.setattr(redis.Redis, "execute_command", unreachable)
        data_cache.bump_data_version()  # an event changed: the bump is dropped
        assert data_cache.data_version() is None  # meanwhile: no version, no cached page
        assert data_cache.cached(["page"], lambda: "fresh from the database") == "fresh from the database"

        monkeypatch.setattr(redis.Redis, "execute_command", real)
        assert cache.get("probe") is None  # the first call that reaches Redis runs the hooks
        assert data_cache.data_version() != before
        from events import pagecache

        assert pagecache._pages_version() != pages_before
        assert data_cache.cached(["page"], lambda: "new page") == "new page"


@needs_redis
def test_without_recovery_hooks_the_old_page_would_be_served_negative_control(monkeypatch):
    from events import cache as data_cache

    with override_settings(CACHES=redis_settings(REDIS_URL, RETRY_AFTER=0, RECOVERY_HOOKS=[])):
        cache = caches["default"]
        data_cache.cached(["page"], lambda: "old page")
        real = redis.Redis.execute_command
        monkeypatch.setattr(redis.Redis, "execute_command",
                            lambda *a, **k: (_ for _ in ()).throw(redis.exceptions.ConnectionError("down")))
        data_cache.bump_data_version()
        monkeypatch.setattr(redis.Redis, "execute_command", real)
        cache.get("probe")
        assert data_cache.cached(["page"], lambda: "new page") == "old page"


@needs_redis
@pytest.mark.parametrize("backend, clients", [
    ("eyos.cache.ResilientRedisCache", 1),
    # Negative control: Django's own backend builds a client (and its ~200 response callbacks)
    # for every command, a third of a millisecond each.
    ("django.core.cache.backends.redis.RedisCache", 21),
])
def test_one_redis_client_is_kept_per_connection_pool(monkeypatch, backend, clients):
    made = []
    real_init = redis.Redis.__init__

    def counting_init(self, *args, **kwargs):
        made.append(self)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counting_init)
    with override_settings(CACHES=redis_settings(REDIS_URL, backend=backend)):
        cache = caches["default"]
        cache.set("reused", 1)
        assert [cache.get("reused") for _ in range(20)] == [1] * 20
    assert len(made) == clients


def test_while_the_cache_is_down_topic_names_cost_their_own_query_only(down, django_assert_num_queries):
    """Nothing to keep them in: computed, without first reading when topics last changed."""
    from django.utils import translation

    from events import selectors

    with translation.override("en"), django_assert_num_queries(1):
        assert selectors.topic_choices()


@needs_redis
def test_add_many_stores_only_the_keys_not_set_yet_in_one_round_trip():
    """events.pagecache starts the registrations versions of a page's events with it."""
    with override_settings(CACHES=redis_settings(REDIS_URL)):
        cache = caches["default"]
        cache.set("taken", 7)
        assert cache.add_many({"taken": 1, "new": 2}, 60) == {"taken": False, "new": True}
        assert cache.get("taken") == 7 and cache.get("new") == 2
        assert cache.incr("new") == 3  # stored as Django stores integers: incr works
        ttl = cache._cache.get_client(write=True).ttl(cache.make_and_validate_key("new"))
        assert 0 < ttl <= 60


def test_add_many_without_redis_stores_nothing(down):
    assert down.add_many({"a": 1}, 60) is None


def test_a_bump_that_finds_its_version_started_meanwhile_moves_it_on(monkeypatch):
    """The version missing, then started by another process between this one's incr and add:
    the add fails, and the bump still happens (incr again), or a registration's bump is lost."""
    from django.core.cache import cache

    from events.cache import bump

    cache.delete("eyos:test-version")
    real_incr, calls = cache.incr, []

    def incr(key, delta=1, version=None):
        calls.append(key)
        if len(calls) == 1:
            cache.set(key, 100)  # the other process's start
            raise ValueError(key)
        return real_incr(key, delta)

    monkeypatch.setattr(cache, "incr", incr)
    bump("eyos:test-version", 60)
    assert cache.get("eyos:test-version") == 101 and len(calls) == 2
