"""Recurring tasks with no scheduler process: every run books the next, and `migrate` books the
first. Booking twice must not give two waiting runs (`migrate` of a release and a run finishing in
the worker can book at the same moment), so the check and the booking are one step under a lock
on PostgreSQL.

Backends that cannot defer a task (the immediate backend of the tests and of a bare `runserver`)
book nothing: cron runs the task's management command instead."""

import zlib

from django.db import connection, transaction


def _is_database_backend(backend):
    return type(backend).__module__.startswith("django_tasks_db")


def _serialise(task):
    """Hold a transaction-scoped lock named after the task until the booking commits (PostgreSQL;
    SQLite writes one at a time anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [0x5ED, zlib.crc32(task.module_path.encode()) - 2**31])


def _race_window():
    """Between looking for a waiting run and booking one. Does nothing; the tests widen it."""


def book_once(task, run_after=None):
    """Book a run of `task` at `run_after` (None: as soon as possible) unless one is already
    waiting. Returns the booked run, or None (one waits, or the backend cannot defer)."""
    backend = task.get_backend()
    if not backend.supports_defer:
        return None
    if not _is_database_backend(backend):
        return task.using(run_after=run_after).enqueue()
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    with transaction.atomic():
        _serialise(task)
        if DBTaskResult.objects.filter(task_path=task.module_path, status=TaskResultStatus.READY).exists():
            return None
        _race_window()
        return task.using(run_after=run_after).enqueue()
