"""Data protection (GDPR articles 17 and 20): account deletion, anonymisation, retention."""

import logging
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from coordinators import permissions
from eyos.schedules import book_once

from ..models import Event, Registration

from .registrations import TOKEN_MAX_AGE, _event_for_registration, _promote_waiting_list

Status = Event.Status
logger = logging.getLogger("eyos.privacy")


# Data protection (GDPR articles 17 and 20) ---------------------------------------------------


def _anonymise(registrations):
    """Keep the counts organisers and dashboards need, drop the person: name, address, account."""
    now = timezone.now()
    count = 0
    # (with their events: the page cache bumps each event's registrations version by its uid)
    for registration in registrations.select_related("event").select_for_update(of=("self",)):
        registration.name = ""
        registration.email = f"anonymised-{registration.pk}@invalid.example"
        registration.user = None
        registration.anonymised_at = now
        registration.save(update_fields=["name", "email", "user", "anonymised_at"])
        count += 1
    return count


@transaction.atomic
def account_delete(*, user):
    """Erases an account (GDPR art. 17). Places it holds for events still to come are given up,
    so the waiting list moves on, and no mail goes to the erased address; every registration it
    made is then anonymised (past ones still count in the figures). Memberships, coordinator
    assignments, email addresses, authenticators, sessions and the audit log's copy of the address
    go with it."""
    from django.contrib.auth import get_user_model

    if not (user and user.is_authenticated):
        raise PermissionDenied
    now = timezone.now()
    registrations = permissions.own_registrations(user)
    freed = []
    for event_id, pk in registrations.filter(status__in=Registration.ACTIVE, event__start__gt=now).values_list(
            "event_id", "pk"):
        event = _event_for_registration(event_id)  # the place changes hands under the event's lock
        Registration.objects.filter(pk=pk).update(status=Registration.Status.CANCELLED, cancelled_at=now)
        freed.append(event)
    anonymised = _anonymise(registrations)
    for event in freed:
        _promote_waiting_list(event)
    _forget_in_audit_log(user)
    _end_sessions(user)
    get_user_model().objects.filter(pk=user.pk).delete()
    # No audit entry on the user (its label is the address we just erased); counts only.
    logger.info("account deleted; %s registrations anonymised, %s places given up", anonymised, len(freed))
    return anonymised


def _forget_in_audit_log(user):
    """Wagtail's log entries about the user object carry its address as their label."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import ModelLogEntry

    ModelLogEntry.objects.filter(content_type=ContentType.objects.get_for_model(user), object_id=str(user.pk)).update(
        label=f"deleted account {user.pk}", data={}
    )


def _end_sessions(user):
    """Sign the account out everywhere: database sessions that carry its id are deleted."""
    from django.conf import settings
    from django.contrib.sessions.models import Session

    if settings.SESSION_ENGINE not in ("django.contrib.sessions.backends.db",
                                       "django.contrib.sessions.backends.cached_db"):
        return
    stale = [session.session_key for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
             if session.get_decoded().get("_auth_user_id") == str(user.pk)]
    if stale:
        from django.contrib.sessions.backends.cached_db import SessionStore

        for key in stale:
            SessionStore(session_key=key).delete()  # also drops a cached copy


@transaction.atomic
def registrations_retention(*, days=None, now=None):
    """Anonymises guests' registrations `days` (EYOS_RETENTION_DAYS) after their event ended, and
    deletes guest registrations never confirmed once their confirmation link has expired (the
    address may not even be theirs). Account holders' registrations stay until they delete their
    account. Returns the number of registrations anonymised or deleted."""
    from django.conf import settings

    now = now or timezone.now()
    days = settings.EYOS_RETENTION_DAYS if days is None else days
    cutoff = now - timedelta(days=days)
    due = Registration.objects.filter(user__isnull=True, anonymised_at__isnull=True, event__end__lt=cutoff)
    anonymised = _anonymise(due)
    unconfirmed, _ = Registration.objects.filter(
        user__isnull=True, status=Registration.Status.PENDING,
        created_at__lt=now - timedelta(seconds=TOKEN_MAX_AGE["confirm"]),
    ).delete()
    return anonymised + unconfirmed


RETENTION_TASK = "events.tasks.apply_retention"


def schedule_retention(*, now=None):
    """Make sure the retention task will run once a day, at 03:00: one waiting run at most,
    whoever calls (every `migrate`, and each run for the next; eyos.schedules). Without a worker
    that defers tasks, cron runs `manage.py apply_retention`."""
    from ..tasks import apply_retention

    now = now or timezone.now()
    return book_once(apply_retention, (now + timedelta(days=1)).replace(hour=3, minute=0, second=0, microsecond=0))
