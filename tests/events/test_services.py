from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from wagtail.models import ModelLogEntry

from events import services
from events.models import Event
from tests import factories

pytestmark = pytest.mark.django_db
S = Event.Status


@pytest.fixture
def world(db):
    fr_org_member = factories.user("org-fr@example.org", language="fr")
    de_org_member = factories.user("org-de@example.org", language="de")
    return {
        "coord_fr": factories.coordinator("FR", language="fr"),
        "coord_de": factories.coordinator("DE", language="de"),
        "eu": factories.user("eu@example.org", is_superuser=True, is_staff=True),
        "org_fr_member": fr_org_member,
        "org_de_member": de_org_member,
        "org_fr": factories.organisation("FR", members=[fr_org_member]),
        "org_de": factories.organisation("DE", members=[de_org_member]),
    }


def actions(event):
    return list(
        ModelLogEntry.objects.for_instance(event).order_by("timestamp", "pk").values_list("action", flat=True)
    )


def run(django_capture_on_commit_callbacks, fn, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return fn(**kwargs)


def test_full_lifecycle_with_audit_and_mail(world, django_capture_on_commit_callbacks):
    event = factories.event(world["org_fr"])
    event = run(django_capture_on_commit_callbacks, services.event_submit, user=world["org_fr_member"], event=event)
    assert event.status == S.SUBMITTED and event.submitted_at
    # Every coordinator of France (the demo one and this test's), nobody from Germany.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(["coordinator-fr@example.org", world["coord_fr"].email])
    assert event.title in mail.outbox[0].subject

    event = run(django_capture_on_commit_callbacks, services.event_request_changes,
                user=world["coord_fr"], event=event, comment="Ajoutez l'adresse exacte.")
    assert event.status == S.CHANGES_REQUESTED
    assert "Ajoutez l'adresse exacte." in mail.outbox[-1].body
    assert mail.outbox[-1].to == [world["org_fr_member"].email]

    event = run(django_capture_on_commit_callbacks, services.event_submit, user=world["org_fr_member"], event=event)
    event = run(django_capture_on_commit_callbacks, services.event_approve, user=world["coord_fr"], event=event)
    assert event.status == S.PUBLISHED and event.decided_by == world["coord_fr"]

    before = event.sequence
    event = run(django_capture_on_commit_callbacks, services.event_cancel,
                user=world["org_fr_member"], event=event, message="Salle indisponible.")
    assert event.status == S.CANCELLED and event.sequence == before + 1
    assert actions(event) == [
        "eyos.event.submit", "eyos.event.request_changes", "eyos.event.submit",
        "eyos.event.approve", "eyos.event.cancel",
    ]


def test_reject_needs_a_standard_reason(world):
    event = factories.event(world["org_fr"], status=S.SUBMITTED)
    with pytest.raises(ValueError):
        services.event_reject(user=world["coord_fr"], event=event, reason="because")
    event = services.event_reject(user=world["coord_fr"], event=event, reason="commercial", note="Sales pitch.")
    assert event.status == S.REJECTED
    assert event.rejection_reason == "commercial" and event.moderation_comment == "Sales pitch."
    assert actions(event) == ["eyos.event.reject"]


def test_request_changes_needs_a_comment(world):
    event = factories.event(world["org_fr"], status=S.SUBMITTED)
    with pytest.raises(ValueError):
        services.event_request_changes(user=world["coord_fr"], event=event, comment="   ")
    event.refresh_from_db()
    assert event.status == S.SUBMITTED


@pytest.mark.parametrize(
    "status, action",
    [
        (S.DRAFT, "approve"), (S.DRAFT, "reject"), (S.DRAFT, "request_changes"), (S.DRAFT, "cancel"),
        (S.SUBMITTED, "submit"), (S.SUBMITTED, "cancel"),
        (S.CHANGES_REQUESTED, "approve"), (S.CHANGES_REQUESTED, "cancel"),
        (S.PUBLISHED, "submit"), (S.PUBLISHED, "approve"), (S.PUBLISHED, "reject"),
        (S.REJECTED, "submit"), (S.REJECTED, "approve"), (S.REJECTED, "cancel"),
        (S.CANCELLED, "submit"), (S.CANCELLED, "approve"), (S.CANCELLED, "cancel"),
    ],
)
def test_invalid_transitions_raise_a_clear_error_and_change_nothing(world, status, action):
    event = factories.event(world["org_fr"], status=status)
    call = {
        "submit": lambda: services.event_submit(user=world["eu"], event=event),
        "approve": lambda: services.event_approve(user=world["eu"], event=event),
        "reject": lambda: services.event_reject(user=world["eu"], event=event, reason="other"),
        "request_changes": lambda: services.event_request_changes(user=world["eu"], event=event, comment="x"),
        "cancel": lambda: services.event_cancel(user=world["eu"], event=event, message="x"),
    }[action]
    with pytest.raises(services.InvalidTransition) as error:
        call()
    assert "cannot be" in str(error.value)
    event.refresh_from_db()
    assert event.status == status
    assert actions(event) == []


def test_coordinator_creates_published_events_in_their_country_only(world):
    data = {
        "title": "Forum des métiers", "summary": "Rencontres", "start": factories.event(world["org_fr"]).start,
        "timezone": "Europe/Paris", "city": "Paris", "address": "Place de l'Hôtel de Ville",
    }
    data["end"] = data["start"] + timedelta(hours=3)
    event = services.event_create(user=world["coord_fr"], organisation=world["org_fr"], data=data)
    assert event.status == S.PUBLISHED
    assert "eyos.event.publish" in actions(event)
    with pytest.raises(PermissionDenied):
        services.event_create(user=world["coord_fr"], organisation=world["org_de"], data={**data, "country": "DE"})


def test_organiser_creates_drafts_for_their_own_organisation(world):
    start = factories.event(world["org_fr"]).start
    data = {"title": "Atelier", "summary": "s", "start": start, "end": start + timedelta(hours=1), "city": "Nice", "address": "x"}
    event = services.event_create(user=world["org_fr_member"], organisation=world["org_fr"], data=data)
    assert event.status == S.DRAFT
    with pytest.raises(PermissionDenied):
        services.event_create(user=world["org_fr_member"], organisation=world["org_de"], data=data)


def test_time_or_place_changes_raise_sequence_other_edits_do_not(world):
    event = factories.event(world["org_fr"], status=S.PUBLISHED)
    event = services.event_update(user=world["coord_fr"], event=event, data={"summary": "New summary"})
    assert event.sequence == 0
    event = services.event_update(user=world["coord_fr"], event=event, data={"start": event.start + timedelta(hours=1), "end": event.end + timedelta(hours=1)})
    assert event.sequence == 1
    event = services.event_update(user=world["coord_fr"], event=event, data={"city": "Marseille"})
    assert event.sequence == 2


def test_organiser_cannot_edit_a_submitted_or_published_event(world):
    for status in (S.SUBMITTED, S.PUBLISHED):
        event = factories.event(world["org_fr"], status=status)
        with pytest.raises(services.InvalidTransition):
            services.event_update(user=world["org_fr_member"], event=event, data={"title": "Changed"})
        event.refresh_from_db()
        assert event.title != "Changed"


def test_emails_reach_each_recipient_in_their_language(world, django_capture_on_commit_callbacks):
    english_member = factories.user("en-member@example.org", language="en")
    world["org_fr"].members.add(english_member)
    event = factories.event(world["org_fr"], status=S.SUBMITTED, title="Journée des compétences")
    run(django_capture_on_commit_callbacks, services.event_approve, user=world["coord_fr"], event=event)
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {"org-fr@example.org", "en-member@example.org"}
    assert by_recipient["en-member@example.org"].subject == "Your event is published: Journée des compétences"
    assert "Journée des compétences" in by_recipient["org-fr@example.org"].subject
    assert by_recipient["org-fr@example.org"].subject != by_recipient["en-member@example.org"].subject


def test_database_refuses_end_before_start_and_negative_capacity(world):
    from django.db import IntegrityError, transaction
    event = factories.event(world["org_fr"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(end=event.start)
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(capacity=-1)


@pytest.mark.django_db
@pytest.mark.parametrize("status", list(Event.Status))
def test_organisers_may_edit_drafts_and_events_sent_back_only(status):
    from events import services

    event = factories.event(factories.organisation("FR"), status=status)
    assert services.organiser_may_edit(event) == (status in {Event.Status.DRAFT, Event.Status.CHANGES_REQUESTED})
