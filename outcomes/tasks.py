"""Mail about outcomes, run by the task worker, each message at most once (events.delivery)."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task
from django.urls import reverse
from django.utils import translation

from events.delivery import render_plain, send_once


def _absolute(path):
    return settings.SITE_URL.rstrip("/") + path


@task()
def send_outcome_request(*, event_id, round):
    """Round 0 asks an event's organisers for its outcome, rounds 1-3 remind them. Nothing once
    the outcome is reported."""
    from django.contrib.auth import get_user_model

    from events.models import Event

    event = Event.objects.select_related("organisation").filter(pk=event_id, outcome_report__isnull=True).first()
    if event is None:
        return 0
    sent = 0
    for user in get_user_model().objects.filter(organisations=event.organisation, is_active=True).order_by("pk"):
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            values = {"event": event, "user": user, "round": round,
                      "report_url": _absolute(reverse("outcomes:report", kwargs={"uid": event.uid}))}
            subject = " ".join(render_plain("outcomes/email/outcome_request_subject.txt", values).split())
            body = render_plain("outcomes/email/outcome_request.txt", values)
        message = EmailMessage(subject, body, None, [user.email])
        sent += send_once(message, key=f"outcomes:request:{event.pk}:{round}:user:{user.pk}")
    return sent


@task()
def send_certificate(*, attendance_id):
    """The attendee's certificate: links to the PDF (signed) and its public verification page."""
    from . import certificates
    from .models import Attendance

    attendance = (Attendance.objects.select_related("event", "event__organisation", "registration")
                  .filter(pk=attendance_id, anonymised_at__isnull=True).first())
    if attendance is None or not attendance.holder_email:
        return 0
    with translation.override(attendance.language):
        values = {"attendance": attendance, "event": attendance.event, "name": attendance.holder_name,
                  "pdf_url": certificates.signed_pdf_url(attendance),
                  "verify_url": certificates.verify_url(attendance)}
        subject = " ".join(render_plain("outcomes/email/certificate_subject.txt", values).split())
        body = render_plain("outcomes/email/certificate.txt", values)
    message = EmailMessage(subject, body, None, [attendance.holder_email])
    return int(send_once(message, key=f"outcomes:certificate:{attendance.code}"))


@task()
def outcomes_daily():
    """Scheduled daily (services.schedule_daily, booked by `migrate`; or cron with
    `manage.py outcomes_daily`): ask for outcomes, send certificates, forget walk-ins."""
    from . import services

    services.schedule_daily()  # first: a failing run must not end the daily schedule
    return {
        "outcome_requests": services.outcome_requests_send(),
        "certificates": services.certificates_send(),
        "walk_ins_anonymised": services.walk_ins_retention(),
    }
