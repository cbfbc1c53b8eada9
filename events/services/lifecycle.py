"""Events through their lifecycle: create, edit, submit, moderate, cancel, geocode."""


from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from coordinators import permissions

from .. import spam
from ..models import Event, Registration
from ..tasks import (
    enqueue_with_transaction, geocode_event, send_event_notification, send_events_submitted_summary,
)

from .images import apply_image, new_files_removed_on_failure
from .slugs import unique_slug
from .registrations import _notify_registration, _promote_waiting_list, _schedule_reminders

Status = Event.Status


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
    "external_registration_url", "registration_opens", "registration_closes", "image_alt",
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


def organiser_may_edit(event):
    """Whether the organisation's members may still edit the event (a draft, or one sent back for
    changes); coordinators may edit more (event_update). For the pages' edit links; event_update
    checks again, under lock."""
    return event.status in ORGANISER_EDITABLE


def _check(event, action):
    if not allows(event, action):
        raise InvalidTransition(event, action)


def _notify(event, kind, user_ids, **extra):
    user_ids = sorted(set(user_ids))
    if user_ids:
        enqueue_with_transaction(send_event_notification, event_id=event.pk, kind=kind, user_ids=user_ids, **extra)


def _organisers(event):
    return list(event.organisation.members.filter(is_active=True).values_list("pk", flat=True))


@new_files_removed_on_failure()  # outside the transaction: a failure at any point, commit included
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
    event.slug = unique_slug(Event.objects.all(), event.title, fallback="event", allow_unicode=True)
    apply_image(event, data, user)
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


@new_files_removed_on_failure()
@transaction.atomic
def event_update(*, user, event, data, topics=None):
    """Organisers edit drafts and events sent back for changes; coordinators edit their
    countries' events in any state but cancelled. Time or place changes raise SEQUENCE."""
    event = _locked(event)
    permissions.require(permissions.can_edit(user, event))
    if event.status == Status.CANCELLED or (
        not permissions.can_moderate(user, event)
        and not organiser_may_edit(event)
    ):
        raise InvalidTransition(event, "edit")
    if "country" in data and str(data["country"]) != event.country.code:
        permissions.require(permissions.can_create_for(user, event.organisation, str(data["country"])))
    changed = []
    for field in EDITABLE_FIELDS:
        if field in data and getattr(event, field) != data[field]:
            setattr(event, field, data[field])
            changed.append(field)
    if apply_image(event, data, user):
        changed.append("image")
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
    from ..geocoding import address_query

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
    from ..geocoding import address_query

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
