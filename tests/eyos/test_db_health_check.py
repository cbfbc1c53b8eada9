"""The PostgreSQL backend's health check (eyos/postgresql/base.py): no round trip while the
connection is quiet, Django's `SELECT 1` as soon as the server has said anything, so a connection
the server ended is still found dead before a request uses it."""

import time

import pytest
from django.db import connection, connections
from django.db.backends.postgresql import base as django_base

from eyos.postgresql import base

pytestmark = [pytest.mark.pg, pytest.mark.django_db]


@pytest.fixture
def other():
    """A connection of its own (the test's connection holds the test's transaction), as a web
    worker holds one between requests."""
    wrapper = connections.create_connection("default")
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


@pytest.fixture
def round_trips(monkeypatch):
    """How many times Django's own check (`SELECT 1`) ran."""
    calls = []
    original = django_base.DatabaseWrapper.is_usable

    def counting(self):
        calls.append(self)
        return original(self)

    monkeypatch.setattr(django_base.DatabaseWrapper, "is_usable", counting)
    return calls


def terminate(wrapper):
    pid = wrapper.connection.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert cursor.fetchone()[0] is True
    # The server's last message and the end of the stream arrive on their own time.
    deadline = time.monotonic() + 5
    while base.quiet(wrapper.connection) and time.monotonic() < deadline:
        time.sleep(0.01)


def test_settings_use_this_backend_on_postgresql(settings):
    assert isinstance(connections["default"], base.DatabaseWrapper)
    assert settings.DATABASES["default"]["ENGINE"] == "eyos.postgresql"
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


def test_a_quiet_connection_is_usable_without_a_round_trip(other, round_trips):
    with other.cursor() as cursor:  # a request's query
        cursor.execute("SELECT 2")
    assert other.is_usable() is True
    assert round_trips == []


def test_a_connection_the_server_ended_is_found_dead_and_replaced(other, round_trips):
    with other.cursor() as cursor:  # used just now: only the socket tells
        cursor.execute("SELECT 2")
    old_pid = other.connection.info.backend_pid
    terminate(other)
    assert other.is_usable() is False
    assert len(round_trips) == 1  # the server had spoken: Django's check decided
    # As at the start of the next request: the dead connection is closed, a new one opened.
    other.health_check_done = False
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != old_pid


def test_control_a_check_that_always_trusts_the_socket_lets_a_request_meet_the_dead_connection(
        other, monkeypatch):
    """Negative control: the test above fails when the socket is not looked at."""
    from django.db import OperationalError

    with other.cursor() as cursor:  # used just now: the socket would be trusted
        cursor.execute("SELECT 2")
    terminate(other)
    monkeypatch.setattr(base, "quiet", lambda _connection: True)
    assert other.is_usable() is True  # wrongly
    other.health_check_done = False
    with pytest.raises(OperationalError):
        with other.cursor() as cursor:
            cursor.execute("SELECT 1")


def test_a_connection_idle_for_longer_than_the_trusted_seconds_is_checked(other, round_trips, monkeypatch):
    """A server that vanished without closing the connection leaves its socket quiet: only a
    connection used in the last seconds is trusted on that."""
    with other.cursor() as cursor:
        cursor.execute("SELECT 2")
    monkeypatch.setattr(base, "TRUST_QUIET_SECONDS", 0.0)
    assert other.is_usable() is True
    assert len(round_trips) == 1


def test_inside_a_transaction_django_checks(other, round_trips):
    other.set_autocommit(False)
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT 1")
        assert other.is_usable() is True
        assert len(round_trips) == 1
    finally:
        other.rollback()
        other.set_autocommit(True)


def test_database_url_names_this_backend_for_postgresql_only(monkeypatch):
    from eyos.settings.base import database_from_env

    monkeypatch.setenv("DATABASE_URL", "postgres://user:secret@db.example:5432/eyos")
    assert database_from_env()["ENGINE"] == "eyos.postgresql"
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/eyos.sqlite3")
    assert database_from_env()["ENGINE"] == "django.db.backends.sqlite3"
