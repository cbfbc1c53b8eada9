"""Tasks for tests/eyos/test_worker.py (a task must live at module level to be enqueued)."""

from django.core.cache import cache
from django.tasks import task

RUNS = "worker-test-runs"


def _count(name):
    runs = cache.get(RUNS, {})
    runs[name] = runs.get(name, 0) + 1
    cache.set(RUNS, runs, None)
    return runs[name]


@task()
def refused_once():
    """Fails the way a refused SMTP connection does, the first time only."""
    if _count("refused_once") == 1:
        raise ConnectionRefusedError("[Errno 111] Connection refused")
    return "sent"


@task()
def always_refused():
    _count("always_refused")
    raise ConnectionRefusedError("[Errno 111] Connection refused")


@task()
def broken():
    _count("broken")
    raise ValueError("a bug, not an outage")


@task()
def fine():
    return _count("fine")


@task()
def stopped():
    raise SystemExit(1)
