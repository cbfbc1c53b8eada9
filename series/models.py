from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from events.models import Event, Organisation

SUBJECT_MAX = 150
BODY_MAX = 2000


class EventSeries(models.Model):
    """Occurrences of one event, each its own Event (capacity, waiting list, cancellation),
    moderated once for all."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="event_series", verbose_name=_("organisation")
    )
    rule = models.CharField(_("rule"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("event series")
        verbose_name_plural = _("event series")

    def __str__(self):
        return self.rule


class SeriesOccurrence(models.Model):
    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="series_link")
    series = models.ForeignKey(EventSeries, on_delete=models.CASCADE, related_name="occurrences")

    class Meta:
        ordering = ["event__start", "pk"]


class Announcement(models.Model):
    """A short plain-text message from the organisers to an event's registrants. It keeps no
    address: the worker reads them from the registrations when it sends (events.delivery keeps
    only a key per email, pruned with the other delivery records)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="announcements")
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    subject = models.CharField(max_length=SUBJECT_MAX)
    body = models.TextField(max_length=BODY_MAX)
    # Other languages: {"de": {"subject": ..., "body": ...}}
    translations = models.JSONField(default=dict, blank=True)
    include_waitlist = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.subject

    def text_for(self, language):
        """(subject, body) in `language`, or the default message."""
        text = self.translations.get(language)
        if text:
            return text["subject"], text["body"]
        return self.subject, self.body
