"""Notification mail, run by the task worker. Each message is rendered in its recipient's
language, and sent at most once per task and recipient however often the task runs (retries, a
worker killed mid-task): see events/delivery.py."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.tasks import task
from django.utils import translation

from .delivery import render_plain, send_once

KINDS = {"submitted", "approved", "changes_requested", "rejected", "cancelled"}


def enqueue_with_transaction(task, /, **kwargs):
    """Queue `task` as part of the current transaction when tasks live in the same database
    (django-tasks-db): the task exists if and only if the change that asked for it was committed,
    so a process that dies between the commit and the enqueue cannot lose the email of a
    registration it has saved. Other backends (the immediate one in tests) queue or run it once
    the transaction has committed."""
    from django.db import transaction
    from django_tasks_db.backend import DatabaseBackend

    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(**kwargs)
    else:
        transaction.on_commit(lambda: task.enqueue(**kwargs))


def _subject(template_name, context):
    return " ".join(render_plain(template_name, context).split())


@task(takes_context=True)
def send_event_notification(context, *, event_id, kind, user_ids):
    from .models import Event

    if kind not in KINDS:
        raise ValueError(f"unknown notification {kind!r}")
    event = Event.objects.select_related("organisation").filter(pk=event_id).first()
    if event is None:
        return 0
    sent = 0
    for user in get_user_model().objects.filter(pk__in=user_ids, is_active=True).order_by("pk"):
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            values = {"event": event, "user": user, "site_url": settings.SITE_URL}
            subject = _subject(f"events/email/{kind}_subject.txt", values)
            body = render_plain(f"events/email/{kind}.txt", values)
        message = EmailMessage(subject, body, None, [user.email])
        sent += send_once(message, key=f"{context.task_result.id}:user:{user.pk}")
    return sent


# A summary lists this many events by name; the rest are counted.
SUMMARY_LISTED = 20


@task(takes_context=True)
def send_events_submitted_summary(context, *, event_ids, user_ids):
    """One email to each coordinator for many events submitted at once (a bulk import), in place
    of one email per event: the events listed by name up to SUMMARY_LISTED, the rest counted."""
    from .models import Event

    events = list(Event.objects.select_related("organisation").filter(pk__in=event_ids).order_by("start", "pk"))
    if not events:
        return 0
    sent = 0
    for user in get_user_model().objects.filter(pk__in=user_ids, is_active=True).order_by("pk"):
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            values = {
                "organisation": events[0].organisation, "count": len(events), "events": events[:SUMMARY_LISTED],
                "more": max(0, len(events) - SUMMARY_LISTED), "user": user,
                "site_url": settings.SITE_URL.rstrip("/"),
            }
            subject = _subject("events/email/submitted_many_subject.txt", values)
            body = render_plain("events/email/submitted_many.txt", values)
        message = EmailMessage(subject, body, None, [user.email])
        sent += send_once(message, key=f"{context.task_result.id}:user:{user.pk}")
    return sent


REGISTRATION_KINDS = {
    "confirm_request", "confirmed", "waitlisted", "promoted", "cancelled", "reminder", "event_cancelled",
    "already_registered", "event_changed",
}


@task(takes_context=True)
def send_registration_email(context, *, registration_id, kind):
    """One email to one registrant, in the language they registered in, with a signed link to
    cancel; confirmations and reminders carry the event as an .ics attachment."""
    from django.urls import reverse

    from . import feeds, services
    from .models import Registration

    if kind not in REGISTRATION_KINDS:
        raise ValueError(f"unknown registration email {kind!r}")
    registration = Registration.objects.select_related("event", "event__organisation").filter(pk=registration_id).first()
    if registration is None or registration.anonymised_at:  # nobody to write to any more
        return 0
    event = registration.event
    with translation.override(registration.language):
        def link(name, action):
            token = services.registration_token(registration, action)
            return settings.SITE_URL.rstrip("/") + reverse(name, kwargs={"token": token})

        values = {
            "registration": registration,
            "event": event,
            "site_url": settings.SITE_URL,
            "event_url": settings.SITE_URL.rstrip("/") + reverse("events:detail", kwargs={"uid": event.uid}),
            "confirm_url": link("events:registration_confirm", "confirm") if kind == "confirm_request" else "",
            "cancel_url": link("events:registration_cancel", "cancel"),
            "join_link": event.join_link_for(registration),
        }
        subject = _subject(f"events/email/registration_{kind}_subject.txt", values)
        body = render_plain(f"events/email/registration_{kind}.txt", values)
    message = EmailMessage(subject, body, None, [registration.email])
    if kind in {"confirmed", "promoted", "reminder", "event_changed"}:
        message.attach(*feeds.ics_attachment(event, join_link=bool(values["join_link"])))
    return int(send_once(message, key=f"{context.task_result.id}:registration:{registration.pk}"))


@task()
def send_due_reminders():
    """Scheduled: sends the reminders that are due. Safe to run as often as one likes."""
    from . import services

    return services.reminders_send()


@task()
def apply_retention():
    """Scheduled daily (services.schedule_retention, started by `migrate`; or cron with
    `manage.py apply_retention`): anonymise guests' data EYOS_RETENTION_DAYS after their event,
    delete never-confirmed ones, then book the next run."""
    from . import services

    from eyos.worker import prune_finished_tasks

    from .delivery import prune_deliveries

    services.schedule_retention()  # first: a failing run must not end the daily schedule
    result = services.registrations_retention()
    # Finished tasks keep their arguments (addresses, allauth's confirmation links) until pruned.
    prune_finished_tasks(older_than=timedelta(days=settings.EYOS_TASK_RESULTS_DAYS))
    prune_deliveries(older_than=timedelta(days=max(30, settings.EYOS_TASK_RESULTS_DAYS)))
    return result


@task()
def geocode_event(*, event_id, query):
    """Coordinates for an event's address (events.geocoding), or the event flagged for its
    coordinators: a geocoder that fails, times out or answers garbage never loses the event, and
    the task is not retried (the coordinator places the pin)."""
    import logging

    from . import services
    from .geocoding import GeocodingError, geocode
    from .models import Event

    country = Event.objects.filter(pk=event_id).values_list("country", flat=True).first()
    if country is None:
        return "gone"
    try:
        point = geocode(query, country)
    except GeocodingError as error:
        logging.getLogger("eyos.geocoding").warning("event %s not geocoded: %s", event_id, error)
        services.event_geocoded(event_id=event_id, query=query, point=None)
        return "failed"
    services.event_geocoded(event_id=event_id, query=query, point=point)
    return "found"
