"""Notification mail, run by the task worker. Each message is rendered in its recipient's
language."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation

KINDS = {"submitted", "approved", "changes_requested", "rejected", "cancelled"}


@task()
def send_event_notification(*, event_id, kind, user_ids):
    from .models import Event

    if kind not in KINDS:
        raise ValueError(f"unknown notification {kind!r}")
    event = Event.objects.select_related("organisation").filter(pk=event_id).first()
    if event is None:
        return 0
    sent = 0
    for user in get_user_model().objects.filter(pk__in=user_ids, is_active=True):
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            context = {"event": event, "user": user, "site_url": settings.SITE_URL}
            subject = render_to_string(f"events/email/{kind}_subject.txt", context).strip()
            body = render_to_string(f"events/email/{kind}.txt", context)
        send_mail(" ".join(subject.split()), body, None, [user.email])
        sent += 1
    return sent


REGISTRATION_KINDS = {
    "confirm_request", "confirmed", "waitlisted", "promoted", "cancelled", "reminder", "event_cancelled",
    "already_registered", "event_changed",
}


@task()
def send_registration_email(*, registration_id, kind):
    """One email to one registrant, in the language they registered in, with a signed link to
    cancel; confirmations and reminders carry the event as an .ics attachment."""
    from django.core.mail import EmailMessage
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

        context = {
            "registration": registration,
            "event": event,
            "site_url": settings.SITE_URL,
            "event_url": settings.SITE_URL.rstrip("/") + reverse("events:detail", kwargs={"uid": event.uid}),
            "confirm_url": link("events:registration_confirm", "confirm") if kind == "confirm_request" else "",
            "cancel_url": link("events:registration_cancel", "cancel"),
        }
        subject = render_to_string(f"events/email/registration_{kind}_subject.txt", context).strip()
        body = render_to_string(f"events/email/registration_{kind}.txt", context)
    message = EmailMessage(" ".join(subject.split()), body, None, [registration.email])
    if kind in {"confirmed", "promoted", "reminder", "event_changed"}:
        message.attach(f"{event.slug[:60] or 'event'}.ics", feeds.event_ics(event, join_link=registration.status == Registration.Status.CONFIRMED), "text/calendar; charset=utf-8; method=PUBLISH")
    message.send()
    return 1


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

    services.schedule_retention()  # first: a failing run must not end the daily schedule
    return services.registrations_retention()
