"""The daily run that regenerates the open dataset (opendata.dataset)."""

import time
from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from eyos.schedules import book_once

DATASET_TASK = "opendata.tasks.build_open_dataset"
RUN_AT_HOUR = 2  # UTC, before the retention run at 03:00


@task(takes_context=True)
def build_open_dataset(context):
    """Scheduled daily (schedule_dataset, booked by every `migrate` and by each run for the next;
    or cron with `manage.py build_open_dataset`): write the JSON-LD and CSV files."""
    from .dataset import write_dataset

    schedule_dataset(soon_if_missing=False)  # first: a failing run must not end the daily schedule
    return write_dataset(alive=Heartbeat(context.task_result.id))


class Heartbeat:
    """At 100,000 events a run takes minutes, longer than EYOS_TASK_STALE_AFTER, after which the
    worker (eyos.worker) takes a RUNNING task for one whose worker died and runs it again. While
    it works, the run moves its own start time forward (at most once a minute), so only a run
    that really stopped is taken up again."""

    EVERY = 60

    def __init__(self, task_id):
        self.task_id = task_id
        self.last = time.monotonic()

    def __call__(self):
        if time.monotonic() - self.last < self.EVERY:
            return
        self.last = time.monotonic()
        if type(build_open_dataset.get_backend()).__module__.startswith("django_tasks_db"):
            from django.tasks import TaskResultStatus
            from django_tasks_db.models import DBTaskResult

            DBTaskResult.objects.filter(id=self.task_id, status=TaskResultStatus.RUNNING).update(
                started_at=timezone.now())


def schedule_dataset(*, now=None, soon_if_missing=True):
    """Make sure the dataset task will run once a day: one waiting run at most, whoever calls
    (eyos.schedules). On a new deployment (no files yet) the first run is booked at once."""
    from .dataset import current_file

    if soon_if_missing and current_file("jsonld") is None:  # a new deployment: the files now, not tomorrow
        return book_once(build_open_dataset)
    now = now or timezone.now()
    return book_once(build_open_dataset,
                     (now + timedelta(days=1)).replace(hour=RUN_AT_HOUR, minute=0, second=0, microsecond=0))
