"""Every write to events goes through one function here. Each one checks permission through
coordinators.permissions, applies one transition of the lifecycle under a row lock, writes the
Wagtail audit log, and enqueues its notification mail after commit.

Lifecycle: draft → submitted → published · submitted → changes_requested → submitted ·
submitted → rejected (with reason) · published → cancelled. Coordinators may create events
straight into published for their countries."""

import logging
from datetime import timedelta

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from coordinators import permissions

from . import spam
from .models import Event, Organisation, Registration
from .tasks import (
    enqueue_with_transaction, geocode_event, send_due_reminders, send_event_notification, send_events_submitted_summary,
    send_registration_email,
)

Status = Event.Status
logger = logging.getLogger("eyos.privacy")

ALLOWED = {
    "submit": {Status.DRAFT, Status.CHANGES_REQUESTED},
    "approve": {Status.SUBMITTED},
    "request_changes": {Status.SUBMITTED},
    "reject": {Status.SUBMITTED},
    "cancel": {Status.PUBLISHED},
}

# What organisers may still edit; coordinators edit their countries' events in any state but
# cancelled.
ORGANISER_EDITABLE = {Status.DRAFT, Status.CHANGES_REQUESTED}

# A change of any of these moves the event in calendars: its iCal SEQUENCE must rise.
SCHEDULE_FIELDS = (
    "start", "end", "timezone", "format", "online_url", "venue", "address", "city", "postcode",
    "country", "latitude", "longitude",
)
EDITABLE_FIELDS = SCHEDULE_FIELDS + (
    "title", "summary", "description", "language", "step_free_access", "sign_language",
    "captions", "accessibility_notes", "target_audience", "capacity", "registration_mode",
    "external_registration_url", "registration_opens", "registration_closes",
)


class InvalidTransition(Exception):
    """The event's current status does not allow this step."""

    def __init__(self, event, action):
        self.event, self.action = event, action
        super().__init__(
            _("An event that is “%(status)s” cannot be %(action)s.")
            % {"status": event.get_status_display(), "action": ACTION_VERBS[action]()}
        )


ACTION_VERBS = {
    "submit": lambda: _("submitted"),
    "approve": lambda: _("approved"),
    "request_changes": lambda: _("sent back for changes"),
    "reject": lambda: _("rejected"),
    "cancel": lambda: _("cancelled"),
    "edit": lambda: _("edited"),
    "spot_check": lambda: _("marked as checked"),
}


def _locked(event):
    return Event.objects.select_for_update().select_related("organisation").get(pk=event.pk)


def allows(event, action):
    """Whether `action` may be taken on the event in its current state: the buttons a page shows
    (the service checks again, under lock, when it is taken)."""
    return event.status in ALLOWED[action]


def _check(event, action):
    if not allows(event, action):
        raise InvalidTransition(event, action)


def _notify(event, kind, user_ids, **extra):
    user_ids = sorted(set(user_ids))
    if user_ids:
        enqueue_with_transaction(send_event_notification, event_id=event.pk, kind=kind, user_ids=user_ids, **extra)


def _organisers(event):
    return list(event.organisation.members.filter(is_active=True).values_list("pk", flat=True))


def _unique_slug(title, exclude_pk=None):
    base = slugify(title, allow_unicode=True)[:200] or "event"
    slug, n = base, 2
    while Event.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def event_create(*, user, organisation, data, topics=(), publish=True):
    """Organisers create drafts for their own organisation in its country. Coordinators (and the
    EU team) create events for their countries, published at once (a draft with publish=False: a
    partner feed under review submits it to the queue)."""
    country = str(data.get("country") or organisation.country.code)
    permissions.require(permissions.can_create_for(user, organisation, country))
    event = Event(organisation=organisation, created_by=user, country=country)
    for field in EDITABLE_FIELDS:
        if field in data:
            setattr(event, field, data[field])
    event.slug = _unique_slug(event.title)
    if publish and permissions.can_publish_directly(user, country):
        event.status = Status.PUBLISHED
        event.decided_at = timezone.now()
        event.decided_by = user
    event.full_clean()
    event.save()
    _geocode_later(event)
    event.topics.set(topics)
    log(instance=event, action="wagtail.create", user=user)
    if event.status == Status.PUBLISHED:
        log(instance=event, action="eyos.event.publish", user=user)
    return event


@transaction.atomic
def event_update(*, user, event, data, topics=None):
    """Organisers edit drafts and events sent back for changes; coordinators edit their
    countries' events in any state but cancelled. Time or place changes raise SEQUENCE."""
    event = _locked(event)
    permissions.require(permissions.can_edit(user, event))
    if event.status == Status.CANCELLED or (
        not permissions.can_moderate(user, event)
        and event.status not in ORGANISER_EDITABLE
    ):
        raise InvalidTransition(event, "edit")
    if "country" in data and str(data["country"]) != event.country.code:
        permissions.require(permissions.can_create_for(user, event.organisation, str(data["country"])))
    changed = []
    for field in EDITABLE_FIELDS:
        if field in data and getattr(event, field) != data[field]:
            setattr(event, field, data[field])
            changed.append(field)
    if any(field in SCHEDULE_FIELDS for field in changed):
        event.sequence += 1
    _locate(event, changed)
    if event.status != Status.DRAFT:
        spam.apply(event)
    event.full_clean()
    event.save()
    _geocode_later(event)
    if topics is not None:
        event.topics.set(topics)
    log(instance=event, action="wagtail.edit", user=user, data={"fields": changed})
    if "capacity" in changed:
        _promote_waiting_list(event)  # more places: the waiting list moves up
    if event.status == Status.PUBLISHED and any(field in SCHEDULE_FIELDS for field in changed):
        # Registrants hear of a new time or place, with the updated calendar file, and get their
        # reminder again for the new time.
        active = event.registrations.filter(status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITLISTED])
        active.update(reminder_sent_at=None)
        for registration in active:
            _notify_registration(registration, "event_changed")
        _schedule_reminders(event)
    return event


ADDRESS_FIELDS = ("address", "postcode", "city", "country")
PIN_FIELDS = ("latitude", "longitude")


def _geocoder_configured():
    from django.conf import settings

    return bool(settings.EYOS_GEOCODER_URL.strip())


def _locate(event, changed):
    """A pin set by hand is the event's place. A new address without a new pin: the old pin
    belonged to the old address, and the geocoder will place the new one (when there is one)."""
    if any(field in changed for field in PIN_FIELDS):
        if event.latitude is not None and event.longitude is not None:
            event.geocode_failed = False
    elif any(field in changed for field in ADDRESS_FIELDS) and _geocoder_configured():
        event.latitude = event.longitude = None


def _geocode_later(event):
    """Events on site without a pin are geocoded by the worker, never while the request waits."""
    from .geocoding import address_query

    if not _geocoder_configured() or event.format == Event.Format.ONLINE:
        return
    if event.latitude is not None and event.longitude is not None:
        return
    query = address_query(event)
    if query:
        enqueue_with_transaction(geocode_event, event_id=event.pk, query=query)


@transaction.atomic
def event_geocoded(*, event_id, query, point):
    """The geocoder's answer for `query`: fills the pin of an event that still has none and still
    has that address; no point (`None`) flags the event for its coordinators. A pin set by hand in
    the meantime, or a newer address, wins."""
    from .geocoding import address_query

    event = Event.objects.select_for_update().filter(pk=event_id).first()
    if event is None or address_query(event) != query:
        return None
    if event.latitude is not None and event.longitude is not None:
        return event
    if point is None:
        event.geocode_failed = True
        event.save(update_fields=["geocode_failed", "updated_at"])
        return event
    event.latitude, event.longitude = point
    event.geocode_failed = False
    event.save(update_fields=["latitude", "longitude", "geocode_failed", "updated_at"])
    log(instance=event, action="wagtail.edit", user=None, data={"fields": list(PIN_FIELDS), "by": "geocoder"})
    return event


@transaction.atomic
def event_submit(*, user, event, notify=True):
    """An organiser sends a draft (or a corrected event) to their country's coordinators.
    notify=False leaves the emails to the caller (a bulk import sends one summary)."""
    event = _locked(event)
    permissions.require(permissions.can_edit(user, event))
    _check(event, "submit")
    spam.apply(event, user)
    event.status = Status.SUBMITTED
    event.submitted_at = timezone.now()
    if permissions.publishes_directly(user, event):
        # A member of a verified organisation: published at once, as an approval would, and
        # flagged for a coordinator's spot check.
        event.status = Status.PUBLISHED
        event.decided_at = event.submitted_at
        event.spot_check = True
        event.sequence += 1
    event.save(update_fields=[
        "status", "submitted_at", "decided_at", "spot_check", "sequence", "spam_score", "spam_reasons", "updated_at",
    ])
    log(instance=event, action="eyos.event.submit", user=user)
    if event.status == Status.PUBLISHED:
        log(instance=event, action="eyos.event.publish", user=user, data={"spot_check": "True"})
        if notify:
            _notify(event, "approved", _organisers(event))
    elif notify:
        _notify(event, "submitted", permissions.coordinators_of(event.country.code).values_list("pk", flat=True))
    return event


def events_submitted_notify(events):
    """Tell the coordinators about events submitted together (a bulk import): one event gets the
    usual email, more get one summary per coordinator and country."""
    by_country = {}
    for event in events:
        if event.status == Status.SUBMITTED:
            by_country.setdefault(event.country.code, []).append(event)
    for country, submitted in sorted(by_country.items()):
        coordinators = permissions.coordinators_of(country).values_list("pk", flat=True)
        if len(submitted) == 1:
            _notify(submitted[0], "submitted", coordinators)
            continue
        user_ids = sorted(set(coordinators))
        if user_ids:
            enqueue_with_transaction(send_events_submitted_summary, event_ids=[event.pk for event in submitted],
                                     user_ids=user_ids)


# Callables event -> events that follow a coordinator's decision on `event` (series: the other
# submitted occurrences, registered by the series app).
MODERATION_FOLLOWERS = []


def _moderate(event, user, action, status, **fields):
    """One coordinator decision, applied also to the events that follow it (a series' other
    submitted occurrences) that this coordinator may moderate, each with its own log and mail."""
    event = _moderate_one(event, user, action, status, **fields)
    for followers in MODERATION_FOLLOWERS:
        for follower in followers(event):
            if permissions.can_moderate(user, follower):
                _moderate_one(follower, user, action, status, **fields)
    return event


def _moderate_one(event, user, action, status, **fields):
    """One coordinator decision on a submitted event: lock, check country and state, record who
    decided, raise SEQUENCE, log, and tell the organisers."""
    event = _locked(event)
    permissions.require(permissions.can_moderate(user, event))
    if not (action in SPOT_CHECK_ACTIONS and event.status == Status.PUBLISHED and event.spot_check):
        _check(event, action)
    event.status = status
    event.decided_at = timezone.now()
    event.decided_by = user
    event.spot_check = False
    for name, value in fields.items():
        setattr(event, name, value)
    event.sequence += 1
    event.save()
    log(instance=event, action=f"eyos.event.{action}", user=user, data={k: str(v) for k, v in fields.items()})
    _notify(event, NOTIFICATION_OF[action], _organisers(event))
    return event


NOTIFICATION_OF = {"approve": "approved", "request_changes": "changes_requested", "reject": "rejected"}
# An event published directly (verified organisation) may still be sent back or rejected while it
# waits for its spot check.
SPOT_CHECK_ACTIONS = {"request_changes", "reject"}


@transaction.atomic
def event_approve(*, user, event):
    """Only a coordinator of the event's country (or the EU team) publishes a submitted event."""
    return _moderate(event, user, "approve", Status.PUBLISHED, moderation_comment="")


@transaction.atomic
def event_request_changes(*, user, event, comment):
    """Sends a submitted event back to its organisers with the coordinator's comment."""
    comment = (comment or "").strip()
    if not comment:
        raise ValueError(_("Tell the organiser what to change."))
    return _moderate(event, user, "request_changes", Status.CHANGES_REQUESTED, moderation_comment=comment)


@transaction.atomic
def event_reject(*, user, event, reason, note=""):
    """Rejects a submitted event with one of the standard reasons, plus free text."""
    if reason not in Event.RejectionReason.values:
        raise ValueError(_("Choose a reason for the rejection."))
    return _moderate(
        event, user, "reject", Status.REJECTED,
        rejection_reason=reason, moderation_comment=(note or "").strip(),
    )


@transaction.atomic
def event_spot_check(*, user, event):
    """A coordinator has looked at an event published directly and keeps it as it is."""
    event = _locked(event)
    permissions.require(permissions.can_moderate(user, event))
    if not (event.status == Status.PUBLISHED and event.spot_check):
        raise InvalidTransition(event, "spot_check")
    event.spot_check = False
    event.save(update_fields=["spot_check", "updated_at"])
    log(instance=event, action="eyos.event.spot_check", user=user)
    return event


@transaction.atomic
def event_reject_and_block(*, user, event, note=""):
    """Rejects a submitted event (or one published directly, before its spot check) as spam and
    deactivates the account that submitted it. Only for coordinators of the event's country, and
    never against staff or coordinator accounts."""
    locked = _locked(event)
    submitter = locked.created_by
    permissions.require(permissions.can_block_submitter(user, locked, submitter))
    event = _moderate(locked, user, "reject", Status.REJECTED, rejection_reason=Event.RejectionReason.SPAM,
                      moderation_comment=(note or "").strip())
    submitter.is_active = False
    submitter.save(update_fields=["is_active"])
    log(instance=event, action="eyos.event.block_submitter", user=user, data={"user_id": submitter.pk})
    return event


@transaction.atomic
def event_cancel(*, user, event, message):
    """A published event is cancelled with a message for everyone concerned. It stays in feeds as
    STATUS:CANCELLED with a raised SEQUENCE."""
    message = (message or "").strip()
    if not message:
        raise ValueError(_("Tell participants why the event is cancelled."))
    event = _locked(event)
    permissions.require(permissions.can_edit(user, event))
    _check(event, "cancel")
    event.status = Status.CANCELLED
    event.cancellation_message = message
    event.sequence += 1
    event.save(update_fields=["status", "cancellation_message", "sequence", "updated_at"])
    log(instance=event, action="eyos.event.cancel", user=user)
    _notify(event, "cancelled", _organisers(event))
    for registration in event.registrations.filter(status__in=Registration.ACTIVE):
        _notify_registration(registration, "event_cancelled")
    return event


# Organisations ------------------------------------------------------------------------------

INVITE_SALT = "eyos.organisation-invite"
INVITE_MAX_AGE = 14 * 24 * 3600


class InvalidInvitation(Exception):
    """The invitation link was altered, has expired or was revoked."""


def _unique_organisation_slug(name):
    base = slugify(name)[:200] or "organisation"
    slug, n = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def organisation_create(*, user, name, country, website=""):
    """Anyone signed in may found an organisation; they become its first member. Coordinators
    verify organisations later."""
    if not (user and user.is_authenticated and user.is_active):
        raise PermissionDenied
    organisation = Organisation(name=name, country=country, website=website, slug=_unique_organisation_slug(name))
    organisation.full_clean()
    organisation.save()
    organisation.members.add(user)
    log(instance=organisation, action="wagtail.create", user=user)
    return organisation


def organisation_invite_token(*, user, organisation):
    """A signed, expiring link members share with colleagues. Only members may hand it out."""
    permissions.require(permissions.is_member(user, organisation))
    return signing.dumps({"o": organisation.pk, "v": organisation.invite_version}, salt=INVITE_SALT, compress=True)


def organisation_from_invite(token):
    """The organisation an invitation is for, or InvalidInvitation."""
    try:
        data = signing.loads(token, salt=INVITE_SALT, max_age=INVITE_MAX_AGE)
    except signing.BadSignature as error:  # includes SignatureExpired
        raise InvalidInvitation from error
    organisation = Organisation.objects.filter(pk=data.get("o")).first()
    if organisation is None or organisation.invite_version != data.get("v"):
        raise InvalidInvitation
    return organisation


@transaction.atomic
def organisation_join(*, user, token):
    if not (user and user.is_authenticated and user.is_active):
        raise PermissionDenied
    organisation = organisation_from_invite(token)
    if not organisation.members.filter(pk=user.pk).exists():
        organisation.members.add(user)
        log(instance=organisation, action="eyos.organisation.join", user=user)
    return organisation


@transaction.atomic
def organisation_renew_invite(*, user, organisation):
    """Revokes every invitation link handed out so far."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    permissions.require(permissions.is_member(user, organisation))
    organisation.invite_version += 1
    organisation.save(update_fields=["invite_version"])
    log(instance=organisation, action="eyos.organisation.renew_invite", user=user)
    return organisation


# Registrations ------------------------------------------------------------------------------
#
# Capacity holds because every function below that can take or free a place first locks the
# event's row (SELECT … FOR UPDATE) and only then counts confirmed places. Two app servers sharing
# one PostgreSQL serialise on that lock, so they can never oversell.

REGISTRATION_LOCKING = True  # the concurrency tests' negative control switches this off
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
    events = Event.objects.select_for_update() if REGISTRATION_LOCKING else Event.objects
    return events.get(pk=event_pk)


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



# Data protection (GDPR articles 17 and 20) ---------------------------------------------------


def _anonymise(registrations):
    """Keep the counts organisers and dashboards need, drop the person: name, address, account."""
    now = timezone.now()
    count = 0
    for registration in registrations.select_for_update():
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
    """Make sure the retention task will run once a day: one waiting run at most, whoever calls
    (every `migrate`, and each run for the next). Backends that cannot defer tasks (the immediate
    one in tests) leave it to cron: `manage.py apply_retention`."""
    from .tasks import apply_retention

    backend = apply_retention.get_backend()
    if not backend.supports_defer:
        return None
    now = now or timezone.now()
    if type(backend).__module__.startswith("django_tasks_db"):
        from django.tasks import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        if DBTaskResult.objects.filter(task_path=RETENTION_TASK, status=TaskResultStatus.READY).exists():
            return None
    tomorrow = (now + timedelta(days=1)).replace(hour=3, minute=0, second=0, microsecond=0)
    return apply_retention.using(run_after=tomorrow).enqueue()