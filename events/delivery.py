"""Sending each email once, whatever happens to the worker.

A task may run more than once: it is retried after a transient failure (SMTP refused, database or
cache gone), and a task left RUNNING by a worker that was killed is taken up again
(eyos/worker.py). Before an email goes out, its row in EmailDelivery is claimed for a lease; after
the mail server accepted it, the row is marked sent. A later run skips what was sent, and waits
for a claim that is still within its lease (another worker may be sending it right now).

If the database goes away just after the mail server accepted a message, marking the row sent is
retried for up to MARK_SENT_PATIENCE (a PostgreSQL restart takes seconds). The one window this
cannot close is a worker that dies (or a database that stays away longer) after the mail server
accepted a message and before the row was marked sent: the message is then sent again once the
lease has expired.
It carries the same Message-ID both times (derived from the key), which mail clients use to drop
the duplicate.
"""

import hashlib
import logging
import time
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections, router
from django.db.models import Q
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone

from eyos.errors import TryLater

from .models import EmailDelivery

logger = logging.getLogger("events.delivery")

# Longer than the SMTP timeout (20 s) plus MARK_SENT_PATIENCE, with room to spare.
LEASE = timedelta(minutes=2)
# Seconds to keep trying to record a sent message while the database is away.
MARK_SENT_PATIENCE = 60


def render_plain(template_name, context):
    """A plain-text template (subject or body) rendered without HTML escaping: `Skills & Jobs:
    Women's day` stays as written. Plain text is never shown as HTML, so nothing needs escaping."""
    return get_template(template_name).template.render(Context(context, autoescape=False))


def message_id(key):
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@{domain}>"


def send_once(message, *, key):
    """Send `message` (an EmailMessage) unless the email called `key` was sent already.
    Returns True if it was sent now."""
    delivery, _created = EmailDelivery.objects.get_or_create(key=key)
    if delivery.sent_at:
        return False
    now = timezone.now()
    claimed = (
        EmailDelivery.objects.filter(pk=delivery.pk, sent_at__isnull=True)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - LEASE))
        .update(claimed_at=now, attempts=delivery.attempts + 1)
    )
    if not claimed:
        if EmailDelivery.objects.filter(pk=delivery.pk, sent_at__isnull=False).exists():
            return False
        # Another run holds the claim: fail this run so the worker retries it after the lease.
        raise DeliveryInProgress(key)
    message.extra_headers["Message-ID"] = message_id(key)
    try:
        message.send()
    except BaseException:
        # Refused or interrupted before the server took it: free the claim for the retry.
        EmailDelivery.objects.filter(pk=delivery.pk, sent_at__isnull=True).update(claimed_at=None)
        raise
    _mark_sent(delivery.pk)
    return True


def _mark_sent(pk):
    """The mail server has the message: record it, waiting out a database restart, so that a
    retry of the task does not send it again."""
    alias = router.db_for_write(EmailDelivery)
    deadline = time.monotonic() + MARK_SENT_PATIENCE
    delay = 0.5
    while True:
        try:
            EmailDelivery.objects.filter(pk=pk).update(sent_at=timezone.now())
            return
        except (OperationalError, InterfaceError):
            connection = connections[alias]
            if connection.in_atomic_block or time.monotonic() + delay > deadline:
                raise
            logger.warning("Email delivery %s was sent but the database is unavailable; retrying in %.1fs", pk, delay)
            try:
                connection.close()
            except DatabaseError:
                pass  # already dead: the next query connects afresh
            time.sleep(delay)
            delay = min(delay * 2, 5)


class DeliveryInProgress(TryLater):
    """Another run of the same task is sending this email right now; try again later."""


def prune_deliveries(*, older_than=timedelta(days=30)):
    """The ledger is needed only while a task can still be retried."""
    return EmailDelivery.objects.filter(created_at__lt=timezone.now() - older_than).delete()[0]
