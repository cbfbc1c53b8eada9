"""Events in other languages than the one they were written in.

- EventTranslation: the organiser's own translation (title, summary, description) into one
  language. It takes precedence over machine translation everywhere: event page, feeds, search.
- MachineTranslation: what a machine-translation backend returned for one event, one language and
  one version of the source text. Rows are a cache shared by every app server; the organiser's
  text is never changed."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.fields import RichTextField

from events.models import EVENT_RICH_TEXT_FEATURES, Event


def source_digest(title, summary, description):
    """The version of an event's text: a machine translation is valid while the text it was made
    from is unchanged (a new capacity or time does not call for a new translation)."""
    raw = "\x1f".join([title or "", summary or "", description or ""])
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


class EventTranslation(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="translations",
                              verbose_name=_("event"))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300)
    description = RichTextField(_("description"), features=EVENT_RICH_TEXT_FEATURES, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("event translation")
        verbose_name_plural = _("event translations")
        constraints = [models.UniqueConstraint(fields=["event", "language"], name="one_translation_per_language")]
        ordering = ["language"]

    def __str__(self):
        return f"{self.event_id} [{self.language}] {self.title}"

    def save(self, *args, **kwargs):
        from events.richtext import sanitise_description

        # The same rule as Event.save(): only the allowed formatting is ever stored.
        self.description = sanitise_description(self.description)
        super().save(*args, **kwargs)


class MachineTranslation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("requested")
        DONE = "done", _("translated")
        FAILED = "failed", _("failed")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="machine_translations")
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    source_language = models.CharField(max_length=8)
    # What it was translated from: the digest of the text and the event's updated_at then.
    source_digest = models.CharField(max_length=32)
    source_updated_at = models.DateTimeField()
    backend = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    title = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    description = models.TextField(blank=True)
    error = models.CharField(max_length=300, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "language", "source_digest"],
                                               name="one_machine_translation_per_version")]

    def __str__(self):
        return f"{self.event_id} [{self.language}] {self.status}"

    def save(self, *args, **kwargs):
        from events.richtext import sanitise_description

        # A backend's answer is untrusted HTML: the same allowed formatting as the organiser's.
        self.description = sanitise_description(self.description)
        super().save(*args, **kwargs)
