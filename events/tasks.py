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
