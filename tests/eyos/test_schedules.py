"""Recurring tasks book their next run with eyos.schedules.book_once: one waiting run at most,
even when two processes book at the same moment (on PostgreSQL, under an advisory lock)."""

import threading
import time
from datetime import timedelta

import pytest
from django.tasks import Task, TaskResultStatus
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from events.tasks import apply_retention
from eyos import schedules

from ..threads import in_thread


@pytest.fixture
def database_backend(monkeypatch):
    """Every thread's tasks go to the database backend, as in production (the test settings run
    tasks at once, and Django's task backends are per thread)."""
    backend = DatabaseBackend("default", {"QUEUES": ["default"], "OPTIONS": {}})
    monkeypatch.setattr(Task, "get_backend", lambda self: backend)
    return backend


def waiting():
    return DBTaskResult.objects.filter(task_path=apply_retention.module_path, status=TaskResultStatus.READY)


@pytest.mark.django_db
def test_a_second_booking_books_nothing(database_backend):
    later = timezone.now() + timedelta(hours=1)
    assert schedules.book_once(apply_retention, later) is not None
    assert schedules.book_once(apply_retention, later + timedelta(hours=1)) is None
    assert waiting().count() == 1 and waiting().get().run_after == later


@pytest.mark.django_db
def test_a_backend_that_cannot_defer_books_nothing():
    # The test settings' immediate backend: running the task now would be wrong; cron runs it.
    assert schedules.book_once(apply_retention, timezone.now() + timedelta(hours=1)) is None
    assert not DBTaskResult.objects.exists()


def _book_at_once(count):
    barrier = threading.Barrier(count)
    later = timezone.now() + timedelta(hours=1)

    def book():
        barrier.wait()
        return schedules.book_once(apply_retention, later)

    threads = [threading.Thread(target=in_thread, args=(book,)) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@pytest.mark.pg
@pytest.mark.django_db(transaction=True)
def test_bookings_at_the_same_moment_book_one_run(database_backend, monkeypatch):
    monkeypatch.setattr(schedules, "_race_window", lambda: time.sleep(0.05))
    _book_at_once(4)
    assert waiting().count() == 1


@pytest.mark.pg
@pytest.mark.django_db(transaction=True)
def test_negative_control_without_the_lock_they_book_several(database_backend, monkeypatch):
    monkeypatch.setattr(schedules, "_race_window", lambda: time.sleep(0.05))
    monkeypatch.setattr(schedules, "_serialise", lambda task: None)
    _book_at_once(4)
    assert waiting().count() > 1
