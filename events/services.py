"""Every write to events goes through one function here. Each one checks permission through
coordinators.permissions, applies one transition of the lifecycle under a row lock, writes the
Wagtail audit log, and enqueues its notification mail after commit.

Lifecycle: draft → submitted → published · submitted → changes_requested → submitted ·
submitted → rejected (with reason) · published → cancelled. Coordinators may create events
straight into published for their countries."""

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from coordinators import permissions

from .models import Event, Organisation
from .tasks import send_event_notification

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
}


def _locked(event):
    return Event.objects.select_for_update().select_related("organisation").get(pk=event.pk)


def _check(event, action):
    if event.status not in ALLOWED[action]:
        raise InvalidTransition(event, action)


def _notify(event, kind, user_ids, **extra):
    user_ids = sorted(set(user_ids))
    if user_ids:
        transaction.on_commit(
            lambda: send_event_notification.enqueue(event_id=event.pk, kind=kind, user_ids=user_ids, **extra)
        )


def _organisers(event):
    return list(event.organisation.members.filter(is_active=True).values_list("pk", flat=True))


def _unique_slug(title, exclude_pk=None):
    base = slugify(title, allow_unicode=True)[:200] or "event"
    slug, n = base, 2
    while Event.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def event_create(*, user, organisation, data, topics=()):
    """Organisers create drafts for their own organisation in its country. Coordinators (and the
    EU team) create events for their countries, published at once."""
    country = str(data.get("country") or organisation.country.code)
    permissions.require(permissions.can_create_for(user, organisation, country))
    event = Event(organisation=organisation, created_by=user, country=country)
    for field in EDITABLE_FIELDS:
        if field in data:
            setattr(event, field, data[field])
    event.slug = _unique_slug(event.title)
    if permissions.can_publish_directly(user, country):
        event.status = Status.PUBLISHED
        event.decided_at = timezone.now()
        event.decided_by = user
    event.full_clean()
    event.save()
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
    event.full_clean()
    event.save()
    if topics is not None:
        event.topics.set(topics)
    log(instance=event, action="wagtail.edit", user=user, data={"fields": changed})
    return event


@transaction.atomic
def event_submit(*, user, event):
    """An organiser sends a draft (or a corrected event) to their country's coordinators."""
    event = _locked(event)
    permissions.require(permissions.can_edit(user, event))
    _check(event, "submit")
    event.status = Status.SUBMITTED
    event.submitted_at = timezone.now()
    event.save(update_fields=["status", "submitted_at", "updated_at"])
    log(instance=event, action="eyos.event.submit", user=user)
    _notify(event, "submitted", permissions.coordinators_of(event.country.code).values_list("pk", flat=True))
    return event


def _moderate(event, user, action, status, **fields):
    """One coordinator decision on a submitted event: lock, check country and state, record who
    decided, raise SEQUENCE, log, and tell the organisers."""
    event = _locked(event)
    permissions.require(permissions.can_moderate(user, event))
    _check(event, action)
    event.status = status
    event.decided_at = timezone.now()
    event.decided_by = user
    for name, value in fields.items():
        setattr(event, name, value)
    event.sequence += 1
    event.save()
    log(instance=event, action=f"eyos.event.{action}", user=user, data={k: str(v) for k, v in fields.items()})
    _notify(event, NOTIFICATION_OF[action], _organisers(event))
    return event


NOTIFICATION_OF = {"approve": "approved", "request_changes": "changes_requested", "reject": "rejected"}


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
