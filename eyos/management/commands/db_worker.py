"""`manage.py db_worker`: django-tasks-db's command, with the same options, running EYOS's
resilient worker (eyos/worker.py). The `eyos` app comes before `django_tasks_db` in
INSTALLED_APPS, so this command is the one `manage.py` finds."""

import os

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from eyos.worker import ResilientWorker


class Command(db_worker.Command):
    help = "Run the task worker (django-tasks-db's, surviving database restarts, retrying transient " \
        "failures and taking up tasks left running by a stopped worker)"

    def handle(self, *, verbosity, queue_name, interval, batch, backend_name, startup_delay, reload, max_tasks,
               worker_id, exclude_queues, **options):
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ResilientWorker(
            queue_names=queue_names, interval=interval, batch=batch, backend_name=backend_name,
            startup_delay=startup_delay, max_tasks=max_tasks, worker_id=worker_id, excluded_queue_names=excluded,
        )
        if reload and not batch:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only in the child the reloader starts
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
