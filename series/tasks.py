"""Announcements, sent by the task worker once per registrant however often the task runs
(retries, a worker killed mid-task): see events/delivery.py."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task
from django.urls import reverse
from django.utils import translation

from events.delivery import render_plain, send_once


@task()
def send_announcement(*, announcement_id):
    from .models import Announcement
    from .services import _recipients

    announcement = Announcement.objects.select_related("event", "event__organisation").filter(pk=announcement_id).first()
    if announcement is None:
        return 0
    event = announcement.event
    sent = 0
    for registration in _recipients(event, announcement.include_waitlist).order_by("pk"):
        subject, text = announcement.text_for(registration.language)
        with translation.override(registration.language):
            body = render_plain("series/email/announcement.txt", {
                "event": event, "text": text,
                "event_url": settings.SITE_URL.rstrip("/") + reverse("events:detail", kwargs={"uid": event.uid}),
            })
        message = EmailMessage(" ".join(subject.split()), body, None, [registration.email])
        # Keyed by the announcement, not the task run: even a second enqueue cannot send twice.
        sent += send_once(message, key=f"announcement:{announcement.pk}:registration:{registration.pk}")
    return sent
