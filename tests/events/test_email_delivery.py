"""Every email kind arrives as written (no HTML escaping in subjects or plain-text bodies), and
each email is sent once per task and recipient however often its task runs."""

import pytest
from django.core import mail
from django.tasks import task_backends

from events import delivery, tasks
from events.models import EmailDelivery, Registration
from tests import factories

pytestmark = pytest.mark.django_db

TITLE = "Skills & Jobs: Women's day <2027> \"quoted\""


@pytest.fixture
def event(db):
    return factories.published_event(factories.organisation("FR"), capacity=5, title=TITLE)


def registration(event, email="anne@example.org", language="fr", status=Registration.Status.CONFIRMED):
    from django.utils import timezone

    return Registration.objects.create(event=event, name="Anne d'Arc & Co", email=email, language=language,
                                       status=status, consent_at=timezone.now())


def unescaped(message):
    for text in (message.subject, message.body):
        for entity in ("&amp;", "&#x27;", "&#39;", "&lt;", "&gt;", "&quot;"):
            assert entity not in text, (entity, text)


@pytest.mark.parametrize("kind", sorted(tasks.REGISTRATION_KINDS))
def test_registration_emails_are_not_html_escaped(event, kind):
    reg = registration(event)
    mail.outbox.clear()
    tasks.send_registration_email.enqueue(registration_id=reg.pk, kind=kind)
    (message,) = mail.outbox
    unescaped(message)
    assert "Women's day" in message.subject or "Women's day" in message.body, kind


@pytest.mark.parametrize("kind", sorted(tasks.KINDS))
def test_moderation_and_organiser_emails_are_not_html_escaped(event, kind):
    person = factories.user(language="it")
    mail.outbox.clear()
    tasks.send_event_notification.enqueue(event_id=event.pk, kind=kind, user_ids=[person.pk])
    (message,) = mail.outbox
    unescaped(message)
    assert TITLE in message.subject


def test_the_escaping_test_can_fail_negative_control(event, monkeypatch):
    """Rendered the old way (Django's autoescaping render_to_string), the subject is escaped."""
    from django.template.loader import render_to_string

    monkeypatch.setattr(tasks, "render_plain", lambda name, values: render_to_string(name, values))
    reg = registration(event)
    mail.outbox.clear()
    tasks.send_registration_email.enqueue(registration_id=reg.pk, kind="confirmed")
    with pytest.raises(AssertionError):
        unescaped(mail.outbox[0])


def run_again(result):
    """What the worker does when it takes up a task again (a retry, or after its worker died):
    the same task run, under the same id."""
    from django.tasks.base import TaskContext

    task = result.task
    return task.func(TaskContext(task_result=result), *result.args, **result.kwargs)


def test_a_task_run_twice_sends_its_email_once(event):
    reg = registration(event)
    mail.outbox.clear()
    result = tasks.send_registration_email.enqueue(registration_id=reg.pk, kind="confirmed")
    assert len(mail.outbox) == 1
    assert run_again(result) == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == delivery.message_id(f"{result.id}:registration:{reg.pk}")
    # Another task (a second, real email of the same kind) is sent.
    tasks.send_registration_email.enqueue(registration_id=reg.pk, kind="confirmed")
    assert len(mail.outbox) == 2


def test_a_notification_to_several_people_resumes_where_it_stopped(event, monkeypatch):
    people = [factories.user() for _ in range(3)]
    sent = []
    from django.core.mail import EmailMessage

    real_send = EmailMessage.send

    def flaky_send(self, *args, **kwargs):
        if len(sent) == 1:
            sent.append("refused")
            raise ConnectionRefusedError("SMTP server refused the connection")
        sent.append(self.to[0])
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", flaky_send)
    backend = task_backends["default"]
    result = tasks.send_event_notification.enqueue(event_id=event.pk, kind="approved", user_ids=[p.pk for p in people])
    assert result.status == "FAILED" and len(mail.outbox) == 1  # the second send failed
    run_again(backend.get_result(result.id) if backend.supports_get_result else result)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)  # each exactly once


def test_a_claim_held_by_another_run_is_not_sent_twice(event):
    from django.utils import timezone

    reg = registration(event)
    mail.outbox.clear()
    EmailDelivery.objects.create(key="held:registration:1", claimed_at=timezone.now())
    message = mail.EmailMessage("s", "b", None, ["x@example.org"])
    with pytest.raises(delivery.DeliveryInProgress):
        delivery.send_once(message, key="held:registration:1")
    assert mail.outbox == []
    # Once the lease has passed, the claim is taken over (the other run died).
    EmailDelivery.objects.filter(key="held:registration:1").update(claimed_at=timezone.now() - delivery.LEASE * 2)
    assert delivery.send_once(message, key="held:registration:1") is True
    assert len(mail.outbox) == 1
    assert reg  # the registration itself is untouched


def test_delivery_rows_hold_no_address(event):
    reg = registration(event, email="private.person@example.org")
    tasks.send_registration_email.enqueue(registration_id=reg.pk, kind="confirmed")
    assert not EmailDelivery.objects.filter(key__icontains="private").exists()


def _database_gone_while_marking_sent(monkeypatch, times):
    """EmailDelivery's "sent" update fails `times` times the way a PostgreSQL restart makes it."""
    from django.db import OperationalError
    from django.db.models import QuerySet

    real_update = QuerySet.update
    left = {"n": times}

    def update(queryset, **kwargs):
        if queryset.model is EmailDelivery and "sent_at" in kwargs and left["n"]:
            left["n"] -= 1
            raise OperationalError("terminating connection due to administrator command")
        return real_update(queryset, **kwargs)

    monkeypatch.setattr(QuerySet, "update", update)
    monkeypatch.setattr(delivery.time, "sleep", lambda seconds: None)


def _message():
    from django.core.mail import EmailMessage

    return EmailMessage("Subject", "Body", to=["anne@example.org"])


@pytest.mark.django_db(transaction=True)
def test_a_sent_message_is_recorded_after_a_database_restart_and_not_sent_again(monkeypatch):
    _database_gone_while_marking_sent(monkeypatch, times=3)
    mail.outbox.clear()
    assert delivery.send_once(_message(), key="restart-test") is True
    assert EmailDelivery.objects.get(key="restart-test").sent_at is not None
    assert delivery.send_once(_message(), key="restart-test") is False  # the task's retry
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_without_waiting_the_sent_message_is_unrecorded_negative_control(monkeypatch):
    from django.db import OperationalError

    monkeypatch.setattr(delivery, "MARK_SENT_PATIENCE", 0)
    _database_gone_while_marking_sent(monkeypatch, times=3)
    mail.outbox.clear()
    with pytest.raises(OperationalError):
        delivery.send_once(_message(), key="restart-control")
    assert len(mail.outbox) == 1 and EmailDelivery.objects.get(key="restart-control").sent_at is None
