"""Registrations: places, waiting lists, signed links, reminders; personal feeds."""


from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from coordinators import permissions

from ..models import Event, Registration
from ..tasks import (
    enqueue_with_transaction, send_due_reminders, send_registration_email,
)

Status = Event.Status


# Registrations ------------------------------------------------------------------------------
#
# Capacity holds because every function below that can take or free a place first locks the
# event's row (SELECT … FOR UPDATE) and only then counts confirmed places. Two app servers sharing
# one PostgreSQL serialise on that lock, so they can never oversell.

TOKEN_SALT = "eyos.registration"
TOKEN_MAX_AGE = {"confirm": 3 * 24 * 3600, "cancel": 400 * 24 * 3600}


class RegistrationClosed(Exception):
    """Registration on this platform is not possible for this event now."""


class AlreadyRegistered(Exception):
    def __init__(self, registration):
        self.registration = registration
        super().__init__(_("This email address is already registered for this event."))


class InvalidToken(Exception):
    """A link that was altered, has expired, or is for something else."""


def _race_window():
    """Between counting places and taking one. Does nothing; the concurrency tests widen it."""


def _event_for_registration(event_pk):
    return Event.objects.select_for_update().get(pk=event_pk)


def places_taken(event):
    return event.registrations.filter(status=Registration.Status.CONFIRMED).count()


def _has_place(event):
    if event.capacity is None:
        return True
    taken = places_taken(event)
    _race_window()
    return taken < event.capacity


def _seat(registration, event, now):
    """A confirmed place if one is free, else the end of the waiting list."""
    if _has_place(event):
        registration.status = Registration.Status.CONFIRMED
        registration.confirmed_at = now
    else:
        registration.status = Registration.Status.WAITLISTED
        registration.waitlisted_at = now


def registration_closed_reason(event, now=None):
    """Why nobody can register for an event right now, or None when they can."""
    now = now or timezone.now()
    if event.status != Status.PUBLISHED:
        return _("This event is not open for registration.")
    if event.registration_mode != Event.RegistrationMode.PLATFORM:
        return _("Registration for this event does not happen on this platform.")
    if event.registration_opens and now < event.registration_opens:
        return _("Registration has not opened yet.")
    if (event.registration_closes and now >= event.registration_closes) or now >= event.start:
        return _("Registration is closed.")
    return None


def registration_token(registration, action):
    return signing.dumps({"r": registration.pk, "a": action}, salt=TOKEN_SALT, compress=True)


def registration_from_token(token, action):
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE[action])
    except signing.BadSignature as error:  # includes SignatureExpired
        raise InvalidToken from error
    if data.get("a") != action:
        raise InvalidToken
    registration = Registration.objects.select_related("event").filter(pk=data.get("r")).first()
    if registration is None:
        raise InvalidToken
    return registration


def _notify_registration(registration, kind):
    enqueue_with_transaction(send_registration_email, registration_id=registration.pk, kind=kind)
    if kind in (Registration.Status.CONFIRMED, "promoted"):
        _schedule_reminders(registration.event)


def _schedule_reminders(event):
    """Wake the reminder sweep when this event's reminders fall due. Backends that cannot defer
    (the immediate one in tests) rely on `manage.py send_reminders` run by cron instead."""
    from django.conf import settings
    from django.tasks import default_task_backend

    if not default_task_backend.supports_defer:
        return
    when = max(timezone.now(), event.start - settings.EYOS_REMINDER_BEFORE)
    enqueue_with_transaction(send_due_reminders.using(run_after=when))


@transaction.atomic
def registration_create(*, event, name, email, consent, language, user=None):
    """Signed-in people get their place (or a waiting-list place) at once. Guests get an email
    with a signed link, and their registration counts only once they confirm it."""
    if not consent:
        raise ValueError(_("Please agree to the processing of your data."))
    signed_in = bool(user and user.is_authenticated)
    email = (user.email if signed_in else email).strip().lower()
    event = _event_for_registration(event.pk)
    reason = registration_closed_reason(event)
    if reason:
        raise RegistrationClosed(reason)
    existing = event.registrations.filter(email=email, status__in=Registration.ACTIVE).first()
    if existing:
        raise AlreadyRegistered(existing)
    now = timezone.now()
    from campaigns.selectors import consent_version

    registration = Registration(
        event=event, user=user if signed_in else None, name=name.strip(), email=email,
        language=language, consent_at=now, consent_version=consent_version(language),
    )
    if signed_in:
        _seat(registration, event, now)
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError:
        # The database's own guard: another request registered this address a moment ago.
        raise AlreadyRegistered(event.registrations.filter(email=email, status__in=Registration.ACTIVE).first())
    log(instance=event, action=f"eyos.registration.{registration.status}", user=user if signed_in else None,
        data={"registration": registration.pk})
    _notify_registration(registration, "confirm_request" if registration.status == Registration.Status.PENDING
                         else registration.status)
    return registration


def registration_remind_existing(*, registration):
    """Someone registered an address that already has a place: its holder gets an email about
    the registration they have (a new confirmation link if it is still pending)."""
    kind = "confirm_request" if registration.status == Registration.Status.PENDING else "already_registered"
    if kind == "confirm_request":
        # Registering again is agreeing again; the new link's 3 days count from now, for the
        # retention of unconfirmed registrations too.
        from campaigns.selectors import consent_version

        now = timezone.now()
        Registration.objects.filter(pk=registration.pk).update(
            created_at=now, consent_at=now, consent_version=consent_version(registration.language))
    _notify_registration(registration, kind)


@transaction.atomic
def registration_confirm(*, registration):
    """The guest opened the link in their email: a place if one is free, else the waiting list.
    Confirming twice changes nothing."""
    event = _event_for_registration(registration.event_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    registration.event = event  # (no query for its uid in events.pagecache)
    if registration.status != Registration.Status.PENDING:
        if registration.status == Registration.Status.CANCELLED:
            raise InvalidToken
        return registration
    reason = registration_closed_reason(event)
    if reason:
        raise RegistrationClosed(reason)
    _seat(registration, event, timezone.now())
    registration.save(update_fields=["status", "confirmed_at", "waitlisted_at"])
    log(instance=event, action=f"eyos.registration.{registration.status}", data={"registration": registration.pk})
    _notify_registration(registration, registration.status)
    return registration


@transaction.atomic
def registration_cancel(*, registration, user=None, by_token=False):
    """Frees the place, and gives it in the same transaction to the first person on the waiting
    list, who is told by email. Callers prove their right with the signed link from an email, or
    by being the account holder."""
    if not by_token:
        permissions.require(permissions.can_cancel_registration(user, registration))
    event = _event_for_registration(registration.event_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    registration.event = event  # (no query for its uid in events.pagecache)
    if registration.status == Registration.Status.CANCELLED:
        return registration
    registration.status = Registration.Status.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "cancelled_at"])
    log(instance=event, action="eyos.registration.cancelled", data={"registration": registration.pk})
    _notify_registration(registration, "cancelled")
    _promote_waiting_list(event)
    return registration


def _promote_waiting_list(event):
    """Fill free places from the waiting list, first come, first served - while the event still
    takes registrations here and has not started."""
    if (event.status != Status.PUBLISHED or event.registration_mode != Event.RegistrationMode.PLATFORM
            or timezone.now() >= event.start):
        return []
    promoted = []
    waiting = event.registrations.select_for_update().filter(
        status=Registration.Status.WAITLISTED, anonymised_at__isnull=True).order_by(
        "waitlisted_at", "pk"
    )
    for candidate in waiting:
        if not _has_place(event):
            break
        candidate.status = Registration.Status.CONFIRMED
        candidate.confirmed_at = timezone.now()
        candidate.save(update_fields=["status", "confirmed_at"])
        log(instance=event, action="eyos.registration.promoted", data={"registration": candidate.pk})
        _notify_registration(candidate, "promoted")
        promoted.append(candidate)
    return promoted


def registrations_due_for_reminder(now=None):
    from django.conf import settings

    now = now or timezone.now()
    return Registration.objects.filter(
        status=Registration.Status.CONFIRMED, reminder_sent_at__isnull=True, anonymised_at__isnull=True,
        event__status=Status.PUBLISHED, event__start__gt=now,
        event__start__lte=now + settings.EYOS_REMINDER_BEFORE,
    )


def reminders_send(*, now=None):
    """Marks each due reminder as sent (once, even with several workers) and enqueues its email.
    Run by the scheduled task and by `manage.py send_reminders`."""
    sent = 0
    for pk in list(registrations_due_for_reminder(now).values_list("pk", flat=True)):
        with transaction.atomic():
            claimed = Registration.objects.filter(pk=pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=timezone.now()
            )
            if claimed:
                enqueue_with_transaction(send_registration_email, registration_id=pk, kind="reminder")
                sent += 1
    return sent


# Personal feeds -----------------------------------------------------------------------------


def personal_feed_token(*, user):
    """The secret of the user's personal feed, made on first use."""
    import secrets

    from django.contrib.auth import get_user_model

    if not user.feed_token:
        token = secrets.token_urlsafe(32)
        get_user_model().objects.filter(pk=user.pk, feed_token="").update(feed_token=token)
        user.feed_token = get_user_model().objects.values_list("feed_token", flat=True).get(pk=user.pk)
    return user.feed_token


@transaction.atomic
def personal_feed_renew(*, user):
    """A new secret: calendars subscribed with the old URL stop receiving updates."""
    import secrets

    from django.contrib.auth import get_user_model

    user.feed_token = secrets.token_urlsafe(32)
    get_user_model().objects.filter(pk=user.pk).update(feed_token=user.feed_token)
    return user.feed_token
