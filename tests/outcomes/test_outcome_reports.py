"""Outcome reports: organisers report once the event is over, coordinators of the country
correct, every change in the audit log; organisers are asked by email, then reminded three times
a week apart, never after reporting, and see a banner until they report."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from wagtail.models import ModelLogEntry

from events.models import EmailDelivery
from outcomes import services
from outcomes.models import OutcomeReport
from tests import factories

pytestmark = pytest.mark.django_db

VALID = {
    "participants": "40", "women": "22", "men": "17", "gender_other": "1", "age_under_25": "30",
    "age_25_54": "", "age_55_plus": "", "people_trained": "35", "skills_validated": "12",
    "employers_involved": "4", "partnership_kind": "lsp", "partnership_code": "LSP-DIGITAL", "ecosystem": "digital",
}


@pytest.fixture
def setup(db):
    organiser = factories.user("reporter@example.org", language="fr")
    org = factories.organisation("FR", members=[organiser])
    event = factories.published_event(org, days=-2)
    return organiser, event


def url(event):
    return f"/en/organise/events/{event.uid}/outcome/"


def test_organiser_reports_and_the_log_has_it(client, setup):
    organiser, event = setup
    client.force_login(organiser)
    response = client.post(url(event), VALID)
    assert response.status_code == 302
    report = OutcomeReport.objects.get(event=event)
    assert (report.participants, report.women, report.age_25_54, report.ecosystem) == (40, 22, None, "digital")
    entry = ModelLogEntry.objects.get(object_id=str(event.pk), action="eyos.outcome.report")
    assert entry.user_id == organiser.pk and entry.data["changes"]["participants"] == [None, 40]


def test_parts_cannot_exceed_the_total(client, setup):
    organiser, event = setup
    client.force_login(organiser)
    response = client.post(url(event), {**VALID, "women": "30", "men": "20"})
    assert response.status_code == 200 and "add up to more than the participants" in response.content.decode()
    response = client.post(url(event), {**VALID, "partnership_kind": ""})
    assert "Which kind of partnership" in response.content.decode()
    assert not OutcomeReport.objects.exists()


def test_not_before_the_event_has_taken_place(client, setup):
    organiser, event = setup
    event.start, event.end = timezone.now() + timedelta(days=1), timezone.now() + timedelta(days=1, hours=2)
    event.save()
    client.force_login(organiser)
    response = client.post(url(event), VALID)
    assert response.status_code == 200 and not OutcomeReport.objects.exists()


def test_coordinator_corrects_with_the_change_logged(client, setup):
    organiser, event = setup
    client.force_login(organiser)
    client.post(url(event), VALID)
    coordinator = factories.coordinator("FR")
    client.force_login(coordinator)
    client.post(url(event), {**VALID, "participants": "41", "gender_other": "2"})
    entry = ModelLogEntry.objects.get(object_id=str(event.pk), action="eyos.outcome.correct")
    assert entry.user_id == coordinator.pk
    assert entry.data["changes"] == {"participants": [40, 41], "gender_other": [1, 2]}
    client.post(url(event), {**VALID, "participants": "41", "gender_other": "2"})  # no change, no entry
    assert ModelLogEntry.objects.filter(object_id=str(event.pk), action="eyos.outcome.correct").count() == 1


def test_other_organisation_and_other_country_refused(client, setup):
    _organiser, event = setup
    stranger = factories.user()
    factories.organisation("FR", members=[stranger])
    for person in (stranger, factories.coordinator("DE")):
        client.force_login(person)
        assert client.get(url(event)).status_code == 404
        assert client.post(url(event), VALID).status_code == 404
    assert not OutcomeReport.objects.exists()


def test_report_page_queries(client, setup, django_assert_num_queries):
    organiser, event = setup
    client.force_login(organiser)
    client.get(url(event))
    # session, user, event, report (the countries and the user bar's permission names: people cache)
    with django_assert_num_queries(4):
        assert client.get(url(event)).status_code == 200


def test_asked_then_reminded_three_times_a_week_apart(setup):
    organiser, event = setup
    colleague = factories.user("colleague@example.org")
    event.organisation.members.add(colleague)
    ended = event.end
    for days, expected in ((0, 2), (1, 0), (7, 2), (8, 0), (14, 2), (21, 2), (28, 0), (35, 0)):
        mail.outbox.clear()
        services.outcome_requests_send(now=ended + timedelta(days=days, minutes=1))
        ours = [m for m in mail.outbox if m.to[0] in (organiser.email, colleague.email)]  # demo events too
        assert len(ours) == expected, days
    keys = set(EmailDelivery.objects.filter(key__startswith=f"outcomes:request:{event.pk}:").values_list("key", flat=True))
    assert len(keys) == 8  # four rounds, two organisers


def test_no_reminder_once_reported(client, setup):
    organiser, event = setup
    services.outcome_requests_send(now=event.end + timedelta(minutes=1))
    (asked,) = [m for m in mail.outbox if m.to == [organiser.email]]
    assert event.title in asked.subject
    assert f"http://testserver/fr/organise/events/{event.uid}/outcome/" in asked.body  # the organiser's language
    client.force_login(organiser)
    client.post(url(event), VALID)
    mail.outbox.clear()
    services.outcome_requests_send(now=event.end + timedelta(days=7, minutes=1))
    assert [m for m in mail.outbox if m.to == [organiser.email]] == []


def test_banner_on_the_organisers_dashboard_until_reported(client, setup):
    organiser, event = setup
    client.force_login(organiser)
    page = client.get("/en/organise/").content.decode()
    assert "How did your events go?" in page and url(event) in page
    client.post(url(event), VALID)
    assert "How did your events go?" not in client.get("/en/organise/").content.decode()


@pytest.fixture
def database_tasks(monkeypatch):
    """The production task backend (django-tasks-db) in place of the immediate one."""
    from django.tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend

    database = DatabaseBackend("default", {"QUEUES": ["default"], "OPTIONS": {}})
    monkeypatch.setattr(task_backends._connections, "default", database, raising=False)
    return database


def test_daily_run_is_booked_once(database_tasks):
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    assert services.schedule_daily() is not None
    assert services.schedule_daily() is None
    waiting = DBTaskResult.objects.filter(task_path=services.DAILY_TASK, status=TaskResultStatus.READY)
    assert waiting.count() == 1 and waiting.get().run_after > timezone.now()
