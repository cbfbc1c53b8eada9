"""Writes of event translations: the organiser's own, and machine translations asked by readers."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from coordinators import permissions

from .backends import FIELDS, HTML_FIELDS, TranslationError, _from_html, get_backend
from .models import EventTranslation, MachineTranslation, source_digest

logger = logging.getLogger(__name__)

# A request still pending after this long is taken as lost (an eTranslation callback that never
# came) and may be asked again; a failure may be retried after the same time.
RETRY_AFTER = timedelta(minutes=10)
_SIGNER_SALT = "eyos.contenttranslation.reference"


class MachineTranslationUnavailable(Exception):
    """No machine translation for this event now; the message says why, for the reader."""


def _touch(event):
    # The event's text as published in that language changed: its updated_at moves, so the feeds'
    # validators, cached VEVENTs and pages (data version, bumped by Event's post_save) renew.
    event.save(update_fields=["updated_at"])


@transaction.atomic
def event_translation_save(*, user, event, language, title, summary, description=""):
    """The organiser's own translation of an event into one language (created or replaced). Only
    those who may edit the event; never into the event's own language."""
    if not permissions.can_translate_event(user, event):
        raise PermissionDenied
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the languages of the site.")})
    if language == event.language:
        raise ValidationError({"language": _("The event is already written in this language.")})
    translation, created = EventTranslation.objects.update_or_create(
        event=event, language=language,
        defaults={"title": title, "summary": summary, "description": description, "updated_by": user},
    )
    log(instance=event, action="eyos.event.translate", user=user, data={"language": language})
    _touch(event)
    return translation


@transaction.atomic
def event_translation_delete(*, user, translation):
    event = translation.event
    if not permissions.can_translate_event(user, event):
        raise PermissionDenied
    language = translation.language
    translation.delete()
    log(instance=event, action="eyos.event.translation_delete", user=user, data={"language": language})
    _touch(event)


def source_fields(event):
    return {name: getattr(event, name) or "" for name in FIELDS}


def reference_for(machine_translation):
    return signing.Signer(salt=_SIGNER_SALT).sign(str(machine_translation.pk))


def machine_translation_for_reference(reference):
    """The row a signed callback reference names, or None when it is forged or gone."""
    try:
        pk = signing.Signer(salt=_SIGNER_SALT).unsign(reference)
    except signing.BadSignature:
        return None
    return MachineTranslation.objects.filter(pk=pk).select_related("event").first()


def machine_translation_request(*, event, language, backend=None):
    """A machine translation of an event's title, summary and description into `language`, for
    a reader who asked. Kept per event, language and version of the source text: asked of the
    backend once, then read. Synchronous backends answer within EYOS_MT_TIMEOUT; an asynchronous
    one (eTranslation) leaves the row pending until its callbacks arrive. Never raises for a
    backend failure: the row records it and MachineTranslationUnavailable says it to the reader."""
    backend = backend or get_backend()
    if backend is None:
        raise MachineTranslationUnavailable(_("Machine translation is not available on this site."))
    if language not in dict(settings.LANGUAGES) or language == event.language:
        raise MachineTranslationUnavailable(_("This event is already in that language."))
    fields = source_fields(event)
    if sum(len(text) for text in fields.values()) > settings.EYOS_MT_MAX_CHARS:
        raise MachineTranslationUnavailable(_("This event is too long to be translated automatically."))
    digest = source_digest(**fields)
    now = timezone.now()
    try:
        with transaction.atomic():
            row, created = MachineTranslation.objects.get_or_create(
                event=event, language=language, source_digest=digest,
                defaults={"source_language": event.language, "source_updated_at": event.updated_at,
                          "backend": backend.name},
            )
    except IntegrityError:  # asked twice at once: the other request is translating it
        row, created = MachineTranslation.objects.get(event=event, language=language, source_digest=digest), False
    if not created:
        if row.status == MachineTranslation.Status.DONE:
            return row
        if row.requested_at > now - RETRY_AFTER:
            if row.status == MachineTranslation.Status.FAILED:
                raise MachineTranslationUnavailable(
                    _("The translation service is not available right now. Please try again later."))
            return row  # pending: asked a moment ago
        MachineTranslation.objects.filter(pk=row.pk).update(
            status=MachineTranslation.Status.PENDING, requested_at=now, error="", backend=backend.name,
            title="", summary="", description="")
        row.refresh_from_db()
    # Translations of older versions of this event's text are of no more use.
    MachineTranslation.objects.filter(event=event, language=language).exclude(pk=row.pk).delete()
    try:
        if backend.asynchronous:
            base = settings.SITE_URL.rstrip("/")
            backend.submit(fields, source=event.language, target=language, reference=reference_for(row),
                           callback_url=base + reverse("mt_callback"), error_url=base + reverse("mt_error_callback"))
            return row
        texts = backend.translate(fields, source=event.language, target=language)
        if not isinstance(texts, dict) or not all(isinstance(texts.get(name), str) for name in FIELDS):
            raise TranslationError("unexpected answer")
    except TranslationError as error:
        logger.warning("Machine translation of event %s into %s failed: %s", event.pk, language, error)
        _fail(row, str(error))
        raise MachineTranslationUnavailable(
            _("The translation service is not available right now. Please try again later."))
    for name in FIELDS:
        setattr(row, name, _plain(name, texts[name])[:20000])
    row.status, row.completed_at = MachineTranslation.Status.DONE, timezone.now()
    row.save()
    return row


def _plain(name, text):
    """Title and summary are plain text whatever a backend answers (the description is
    sanitised as HTML by MachineTranslation.save)."""
    return text if name in HTML_FIELDS else _from_html(name, text)


def _fail(row, message):
    row.status, row.error, row.completed_at = MachineTranslation.Status.FAILED, message[:300], timezone.now()
    row.save(update_fields=["status", "error", "completed_at"])


@transaction.atomic
def machine_translation_callback(*, external_reference, text=None, error=None):
    """One field's answer from an asynchronous backend (eTranslation). The row is done once every
    non-empty field of the source has come back. False for a reference we did not sign."""
    reference, _sep, field = (external_reference or "").rpartition(":")
    if field not in FIELDS:
        return False
    row = machine_translation_for_reference(reference)
    if row is None:
        return False
    row = MachineTranslation.objects.select_for_update().get(pk=row.pk)
    if row.status != MachineTranslation.Status.PENDING:
        return True
    if error is not None:
        _fail(row, f"{field}: {error}")
        return True
    setattr(row, field, _plain(field, text or "")[:20000])
    source = source_fields(row.event)
    if all(getattr(row, name) or not source[name] for name in FIELDS):
        row.status, row.completed_at = MachineTranslation.Status.DONE, timezone.now()
    row.save()
    return True
