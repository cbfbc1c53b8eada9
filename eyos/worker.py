"""The task worker, as django-tasks-db's, made to survive what production does to it.

django-tasks-db 0.13's worker (`db_worker`) dies on the first OperationalError (a PostgreSQL
restart), marks a task FAILED for good on any exception (an SMTP server that refused once), and
leaves a task RUNNING forever when its process is killed (deploy, OOM, kill -9). This worker, used
by `manage.py db_worker` (eyos/management/commands/db_worker.py), keeps its queue semantics and:

- waits out a database that is gone (reconnecting with backoff, up to 30 s between tries) instead
  of exiting;
- puts a task that failed for a transient reason (database, cache or mail server unreachable)
  back in the queue with exponential backoff, up to EYOS_TASK_MAX_ATTEMPTS runs;
- takes up again a task that has been RUNNING longer than EYOS_TASK_STALE_AFTER seconds (its
  worker died), counting that as an attempt;
- puts the task it was running back in the queue when it is stopped (a second SIGTERM);
- remembers the outcome of a task it could not record because the database went away (queued
  again, failed, succeeded) and records it as soon as the database is back, so an interrupted task
  runs again within seconds instead of waiting EYOS_TASK_STALE_AFTER.

Tasks themselves must tolerate running again; the email tasks do (events/delivery.py).
"""

import logging
import random
import smtplib
import time
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, close_old_connections, connections
from django.utils import timezone
from django_tasks_db.compat import TaskContext, TaskResultStatus, task_finished, task_started
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from .errors import TryLater

logger = logging.getLogger("eyos.worker")

DATABASE_DOWN = (OperationalError, InterfaceError)


def is_transient(error):
    """A failure that says "not now" rather than "never": the task is worth running again."""
    import redis

    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code < 500  # 4xx: try again later; 5xx: the server said no for good
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code < 500 for code, _message in error.recipients.values())
    return isinstance(error, (
        OperationalError, InterfaceError,  # the database went away mid-task
        redis.exceptions.ConnectionError, redis.exceptions.TimeoutError,
        smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError,
        OSError,  # refused, reset, timed out, unreachable, disk full (ConnectionError, TimeoutError …)
        TryLater,
    ))


def retry_delay(attempt):
    """Seconds before run `attempt + 1`: 10 s, 20 s, 40 s … capped at 30 min, with jitter."""
    base = min(settings.EYOS_TASK_RETRY_BASE * 2 ** (attempt - 1), settings.EYOS_TASK_RETRY_CAP)
    return base * random.uniform(0.8, 1.2)  # noqa: S311


class ResilientWorker(Worker):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.stale_after = timedelta(seconds=settings.EYOS_TASK_STALE_AFTER)
        self.max_attempts = settings.EYOS_TASK_MAX_ATTEMPTS
        self._next_reclaim = 0.0
        # Outcomes the database was not there to record: [(DBTaskResult, callable)], settled in
        # order as soon as it is back.
        self._unsettled = []

    def run(self):
        logger.info("Starting worker worker_id=%s queues=%s", self.worker_id, ",".join(self.queue_names))
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # noqa: S311  no thundering herd after a deploy
        outage = 0
        while self.running:
            try:
                close_old_connections()
                self.settle_unsettled()
                self.reclaim_stale_tasks()
                task_result, retrieved = self.claim_next()
            except DATABASE_DOWN as error:
                outage += 1
                self.database_unavailable(error, outage)
                continue
            if outage:
                logger.warning("Database reachable again; worker %s carries on", self.worker_id)
                outage = 0
            if task_result is not None:
                self.run_task(task_result)
            if self.batch and retrieved and task_result is None:
                logger.info("No more tasks to run for worker_id=%s - exiting gracefully.", self.worker_id)
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                logger.info("Run maximum tasks (%d) on worker=%s - exiting gracefully.", self._run_tasks,
                            self.worker_id)
                return
            if self.running and task_result is None:
                time.sleep(self.interval)

    def database_unavailable(self, error, outage):
        delay = min(2 ** (outage - 1), 30)
        if outage == 1:
            logger.warning("Database unavailable (%s); worker %s waits and retries", type(error).__name__,
                           self.worker_id)
        self.drop_connections()
        time.sleep(delay)

    def drop_connections(self):
        for connection in connections.all(initialized_only=True):
            try:
                connection.close()
            except DatabaseError:
                pass  # already dead: Django drops it and connects afresh next time

    def claim_next(self):
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        try:
            with exclusive_transaction(tasks.db):
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)  # no other worker takes it now
        except OperationalError as error:
            if is_locked_database_exception(error):  # SQLite busy: try again shortly
                return None, False
            raise
        return task_result, True

    def reclaim_stale_tasks(self):
        """Tasks RUNNING for longer than EYOS_TASK_STALE_AFTER lost their worker: queue them again
        (or fail them once they have used all their attempts: a task that kills its worker must
        not kill every worker in turn)."""
        if time.monotonic() < self._next_reclaim:
            return
        self._next_reclaim = time.monotonic() + min(30, max(1, self.stale_after.total_seconds() / 2))
        cutoff = timezone.now() - self.stale_after
        stale = DBTaskResult.objects.running().filter(backend_name=self.backend_name, started_at__lt=cutoff)
        for task_id, worker_ids in stale.values_list("id", "worker_ids")[:100]:
            if len(worker_ids) >= self.max_attempts:
                updated = DBTaskResult.objects.filter(id=task_id, status=TaskResultStatus.RUNNING).update(
                    status=TaskResultStatus.FAILED, finished_at=timezone.now(),
                    exception_class_path="eyos.worker.WorkerLost",
                    traceback=f"The worker running this task stopped {len(worker_ids)} times.")
                log = logger.error
            else:
                updated = DBTaskResult.objects.filter(id=task_id, status=TaskResultStatus.RUNNING).update(
                    status=TaskResultStatus.READY)
                log = logger.warning
            if updated:
                log("Task id=%s was left running by a stopped worker (attempt %d); %s", task_id, len(worker_ids),
                    "given up" if log is logger.error else "queued again")

    def run_task(self, db_task_result):
        """Like django-tasks-db's, except that a transient failure or an interruption puts the task
        back in the queue instead of failing it for good."""
        self.running_task = True
        try:
            task = db_task_result.task
            task_result = db_task_result.task_result
            backend_type = task.get_backend()
            task_started.send(sender=backend_type, task_result=task_result)
            if task.takes_context:
                value = task.call(TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs)
            else:
                value = task.call(*task_result.args, **task_result.kwargs)
        except (KeyboardInterrupt, SystemExit):
            self.requeue(db_task_result, delay=0, reason="the worker was stopped")
            raise
        except Exception as error:
            attempt = len(db_task_result.worker_ids)
            if not is_transient(error):
                self.fail(db_task_result, error)
            elif attempt < self.max_attempts:
                self.requeue(db_task_result, delay=retry_delay(attempt),
                             reason=f"{type(error).__name__} (attempt {attempt})")
            else:
                logger.error("Task id=%s failed %d times, giving up", db_task_result.id, attempt)
                self.fail(db_task_result, error)
        else:
            self.settle(db_task_result, lambda: self._record_success(db_task_result, value), "succeeded")
        finally:
            self.running_task = False
            self._run_tasks += 1

    def _record_success(self, db_task_result, value):
        db_task_result.set_successful(value)
        task_finished.send(sender=type(db_task_result.task.get_backend()), task_result=db_task_result.task_result)

    def settle(self, db_task_result, record, outcome):
        """Records a task's outcome now or, if the database is gone, as soon as it is back."""
        try:
            record()
        except DATABASE_DOWN:
            logger.warning("Task id=%s %s; the database is unavailable, it is recorded when it is back",
                           db_task_result.id, outcome)
            self._unsettled.append((db_task_result, record, outcome))
            self.drop_connections()

    def settle_unsettled(self):
        """Records the outcomes the database missed, oldest first; stops at the first that fails
        again (DATABASE_DOWN propagates to run(), which waits for the database)."""
        while self._unsettled:
            db_task_result, record, outcome = self._unsettled[0]
            record()
            self._unsettled.pop(0)
            logger.warning("Task id=%s %s: recorded now that the database is back", db_task_result.id, outcome)

    def requeue(self, db_task_result, *, delay, reason):
        def record():
            # Only while it is still this run of the task (not taken up by another worker since).
            DBTaskResult.objects.filter(
                id=db_task_result.id, status=TaskResultStatus.RUNNING, started_at=db_task_result.started_at,
            ).update(status=TaskResultStatus.READY, run_after=timezone.now() + timedelta(seconds=delay))
            logger.warning("Task id=%s will run again in %.0fs: %s", db_task_result.id, delay, reason)

        self.settle(db_task_result, record, "is to run again")

    def fail(self, db_task_result, error):
        def record():
            db_task_result.set_failed(error)
            task_finished.send(sender=type(db_task_result.task.get_backend()), task_result=db_task_result.task_result)

        try:
            self.settle(db_task_result, record, "failed")
        except Exception:
            logger.exception("Task id=%s failed unexpectedly", db_task_result.id)


def prune_finished_tasks(*, older_than):
    """Deletes tasks that finished (successfully or not) longer ago than `older_than`: their
    arguments may hold personal data. Run daily by events.tasks.apply_retention."""
    return DBTaskResult.objects.finished().filter(finished_at__lt=timezone.now() - older_than).delete()[0]
