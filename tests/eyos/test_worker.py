"""The task worker (eyos/worker.py, `manage.py db_worker`) on the real django-tasks-db backend:
transient failures are retried with backoff, a task left RUNNING by a dead worker is taken up
again, a database that goes away is waited out, and every email still goes out exactly once.
The fault tests in tests/ops/ do the same through real processes and a real PostgreSQL restart."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import OperationalError
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker as StockWorker
from django_tasks_db.models import DBTaskResult

from eyos.worker import ResilientWorker, is_transient
from tests.eyos import worker_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def database_backend(monkeypatch):
    # Each test runs inside a transaction, which closing "old" connections would end (Django's
    # test client switches it off for requests in the same way).
    import django_tasks_db.management.commands.db_worker as stock

    import eyos.worker

    monkeypatch.setattr(eyos.worker, "close_old_connections", lambda: None)
    monkeypatch.setattr(stock, "close_old_connections", lambda: None)
    monkeypatch.setattr(ResilientWorker, "drop_connections", lambda self: None)
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        cache.delete(worker_tasks.RUNS)
        yield


def worker(cls=ResilientWorker, **options):
    return cls(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
               max_tasks=None, worker_id=options.pop("worker_id", "test-worker"), excluded_queue_names=[], **options)


def runs(name):
    return cache.get(worker_tasks.RUNS, {}).get(name, 0)


def row(result):
    return DBTaskResult.objects.get(id=result.id)


def due_now():
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now() - timedelta(seconds=1))


def test_a_transient_failure_is_retried_after_a_backoff():
    result = worker_tasks.refused_once.enqueue()
    before = timezone.now()
    worker().run()
    task = row(result)
    assert task.status == "READY" and runs("refused_once") == 1
    assert task.run_after >= before + timedelta(seconds=7)  # 10 s, with jitter
    worker().run()  # not due yet: nothing runs
    assert runs("refused_once") == 1
    due_now()
    worker().run()
    assert row(result).status == "SUCCESSFUL" and row(result).return_value == "sent"
    assert len(row(result).worker_ids) == 2


def test_the_stock_worker_fails_it_for_good_negative_control():
    result = worker_tasks.refused_once.enqueue()
    worker(StockWorker).run()
    assert row(result).status == "FAILED"


def test_a_bug_fails_at_once_and_retries_end(settings):
    bug = worker_tasks.broken.enqueue()
    worker().run()
    assert row(bug).status == "FAILED" and runs("broken") == 1

    settings.EYOS_TASK_MAX_ATTEMPTS = 3
    outage = worker_tasks.always_refused.enqueue()
    for _ in range(5):
        due_now()
        worker().run()
    assert row(outage).status == "FAILED" and runs("always_refused") == 3


def test_smtp_answers_decide_whether_to_retry():
    import smtplib

    assert is_transient(smtplib.SMTPSenderRefused(451, b"try later", "a@example.org"))
    assert not is_transient(smtplib.SMTPSenderRefused(550, b"no such sender", "a@example.org"))
    assert not is_transient(smtplib.SMTPRecipientsRefused({"b@example.org": (550, b"no such user")}))
    assert is_transient(smtplib.SMTPServerDisconnected())
    assert is_transient(OperationalError("server closed the connection unexpectedly"))
    assert not is_transient(ValueError())


def left_running(task, *, minutes_ago, attempts=1):
    result = task.enqueue()
    DBTaskResult.objects.filter(id=result.id).update(
        status="RUNNING", started_at=timezone.now() - timedelta(minutes=minutes_ago),
        worker_ids=[f"killed-{n}" for n in range(attempts)])
    return result


def test_a_task_left_running_by_a_dead_worker_is_taken_up_again(settings):
    settings.EYOS_TASK_STALE_AFTER = 300
    stale = left_running(worker_tasks.fine, minutes_ago=6)
    recent = left_running(worker_tasks.fine, minutes_ago=1)  # may still be running somewhere
    worker().run()
    assert row(stale).status == "SUCCESSFUL"
    assert row(recent).status == "RUNNING"


def test_the_stock_worker_leaves_it_running_forever_negative_control():
    stale = left_running(worker_tasks.fine, minutes_ago=60)
    worker(StockWorker).run()
    assert row(stale).status == "RUNNING"


def test_a_task_that_keeps_killing_its_worker_is_given_up(settings):
    settings.EYOS_TASK_MAX_ATTEMPTS = 3
    poison = left_running(worker_tasks.fine, minutes_ago=60, attempts=3)
    worker().run()
    assert row(poison).status == "FAILED" and runs("fine") == 0


def test_a_task_interrupted_by_a_stop_goes_back_in_the_queue():
    result = worker_tasks.stopped.enqueue()
    with pytest.raises(SystemExit):
        worker().run()
    assert row(result).status == "READY"


def test_the_worker_waits_out_a_database_that_went_away(monkeypatch):
    """claim_next raises what psycopg raises while PostgreSQL restarts, twice; the worker waits,
    then runs the task. The stock worker dies on the first."""
    import eyos.worker

    result = worker_tasks.fine.enqueue()
    monkeypatch.setattr(eyos.worker.time, "sleep", lambda seconds: None)
    real = ResilientWorker.claim_next
    failures = iter([OperationalError("terminating connection due to administrator command")] * 2)

    def flaky(self):
        error = next(failures, None)
        if error:
            raise error
        return real(self)

    monkeypatch.setattr(ResilientWorker, "claim_next", flaky)
    worker().run()
    assert row(result).status == "SUCCESSFUL"


def test_the_stock_worker_dies_when_the_database_goes_away_negative_control(monkeypatch):
    from django_tasks_db.models import DBTaskResultQuerySet

    worker_tasks.fine.enqueue()

    def gone(self):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(DBTaskResultQuerySet, "get_locked", gone)
    with pytest.raises(OperationalError):
        worker(StockWorker).run()


def test_registration_email_through_the_worker_once_even_when_run_twice(client, django_capture_on_commit_callbacks):
    from django.core import mail

    from tests import factories

    event = factories.published_event(factories.organisation("FR"), capacity=3)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/en/events/{event.uid}/register/", {"name": "Anne", "email": "anne@example.org", "consent": "on"})
    assert mail.outbox == []  # queued, not sent in the request
    (task,) = DBTaskResult.objects.filter(task_path="events.tasks.send_registration_email")
    worker().run()
    assert [m.to for m in mail.outbox] == [["anne@example.org"]]
    # The worker was killed after sending, before recording success: the task is taken up again.
    DBTaskResult.objects.filter(id=task.id).update(status="RUNNING", started_at=timezone.now() - timedelta(hours=1))
    worker().run()
    assert len(mail.outbox) == 1 and row(task).status == "SUCCESSFUL"


def test_the_email_task_is_saved_in_the_same_transaction_as_the_registration():
    """No window between the registration's commit and its email's enqueue: the task row is
    written inside the transaction, so both exist or neither does."""
    from django.db import transaction

    from events import services
    from events.models import Registration
    from tests import factories

    event = factories.published_event(factories.organisation("FR"), capacity=3)
    emails = DBTaskResult.objects.filter(task_path="events.tasks.send_registration_email")
    with pytest.raises(RuntimeError), transaction.atomic():
        services.registration_create(event=event, name="Anne", email="anne@example.org", consent=True, language="en")
        assert emails.count() == 1  # already there, uncommitted, with the registration
        raise RuntimeError("the process dies before the commit")
    assert emails.count() == 0 and not Registration.objects.filter(email="anne@example.org").exists()
    services.registration_create(event=event, name="Anne", email="anne@example.org", consent=True, language="en")
    assert emails.count() == 1


def test_sign_up_mail_goes_through_the_worker_so_a_dead_mail_server_is_no_500(client, monkeypatch, settings):
    """allauth sent its mail inside the request: with the mail server down, sign-up answered 500
    and the address was never confirmed. Now the request queues it and the worker retries."""
    from django.core import mail
    from django.core.mail import EmailMessage

    settings.ACCOUNT_RATE_LIMITS = {}
    real_send = EmailMessage.send
    monkeypatch.setattr(EmailMessage, "send", lambda self, *a, **k: (_ for _ in ()).throw(
        ConnectionRefusedError("[Errno 111] Connection refused")))
    response = client.post("/fr/accounts/signup/", {
        "email": "o'brien@example.org", "first_name": "Siobhán", "password1": "a-Long-pass-4-eyos",
        "password2": "a-Long-pass-4-eyos"})
    assert response.status_code == 302
    (task,) = DBTaskResult.objects.filter(task_path="eyos.accounts.tasks.send_account_email")
    worker().run()
    assert row(task).status == "READY" and mail.outbox == []  # refused: queued again with a backoff
    monkeypatch.setattr(EmailMessage, "send", real_send)
    due_now()
    worker().run()
    (message,) = mail.outbox
    assert message.to == ["o'brien@example.org"] and "/fr/accounts/confirm-email/" in message.body
    assert row(task).status == "SUCCESSFUL"


def test_finished_tasks_are_pruned_with_their_arguments(settings):
    from eyos.worker import prune_finished_tasks

    old = worker_tasks.fine.enqueue()
    new = worker_tasks.fine.enqueue()
    waiting = worker_tasks.fine.using(run_after=timezone.now() + timedelta(days=30)).enqueue()
    worker().run()
    DBTaskResult.objects.filter(id=old.id).update(finished_at=timezone.now() - timedelta(days=8))
    assert prune_finished_tasks(older_than=timedelta(days=7)) == 1
    assert {str(pk) for pk in DBTaskResult.objects.values_list("id", flat=True)} == {str(new.id), str(waiting.id)}


class DatabaseGoneOnce:
    """Makes the next `times` writes of DBTaskResult rows raise what psycopg raises while
    PostgreSQL restarts: the database went away just as the worker recorded a task's outcome."""

    def __init__(self, monkeypatch, times=1):
        from django.db.models import QuerySet
        from django_tasks_db.models import DBTaskResult as Model

        self.left = times
        real_update, real_save = QuerySet.update, Model.save

        def update(queryset, **kwargs):
            if queryset.model is Model and self.left:
                self.left -= 1
                raise OperationalError("terminating connection due to administrator command")
            return real_update(queryset, **kwargs)

        def save(instance, *args, **kwargs):
            if self.left and instance.status in ("SUCCESSFUL", "FAILED"):
                self.left -= 1
                raise OperationalError("terminating connection due to administrator command")
            return real_save(instance, *args, **kwargs)

        monkeypatch.setattr(QuerySet, "update", update)
        monkeypatch.setattr(Model, "save", save)


def test_a_task_interrupted_by_an_outage_is_queued_again_as_soon_as_the_database_is_back(monkeypatch):
    """The task failed because the database went away, and putting it back in the queue failed
    for the same reason: the worker remembers and does it once the database answers, not after
    EYOS_TASK_STALE_AFTER."""
    import eyos.worker

    monkeypatch.setattr(eyos.worker.time, "sleep", lambda seconds: None)
    result = worker_tasks.refused_once.enqueue()
    DatabaseGoneOnce(monkeypatch)
    worker().run()
    task = row(result)
    assert task.status == "READY" and task.run_after > timezone.now()  # queued again, with its backoff
    due_now()
    worker().run()
    assert row(result).status == "SUCCESSFUL" and runs("refused_once") == 2


def test_without_settling_it_stays_running_negative_control(monkeypatch):
    monkeypatch.setattr(ResilientWorker, "settle_unsettled", lambda self: None)
    result = worker_tasks.refused_once.enqueue()
    DatabaseGoneOnce(monkeypatch)
    worker().run()
    assert row(result).status == "RUNNING"


def test_a_success_the_database_missed_is_recorded_later_and_the_task_not_run_again(monkeypatch):
    result = worker_tasks.fine.enqueue()
    DatabaseGoneOnce(monkeypatch, times=3)  # longer than django-tasks-db's own three quick tries
    worker().run()
    assert row(result).status == "SUCCESSFUL" and row(result).return_value == 1
    worker().run()
    assert runs("fine") == 1


def test_a_failure_the_database_missed_is_recorded_later(monkeypatch):
    result = worker_tasks.broken.enqueue()
    DatabaseGoneOnce(monkeypatch, times=3)
    worker().run()
    assert row(result).status == "FAILED" and runs("broken") == 1
