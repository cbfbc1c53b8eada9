from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from events.models import Event, Organisation


class PartnerFeed(models.Model):
    """An iCal or JSON feed of a partner's platform (a national Year site, a network of schools),
    registered by a coordinator of its country. Its events belong to `organisation`."""

    class Trust(models.TextChoices):
        REVIEW = "review", _("Review each new event (they go to the queue)")
        TRUSTED = "trusted", _("Trusted: publish new events at once")

    class Outcome(models.TextChoices):
        NEVER = "", _("Not fetched yet")
        OK = "ok", _("Read")
        NOT_MODIFIED = "not_modified", _("Unchanged since the last fetch")
        FAILED = "failed", _("Failed")

    name = models.CharField(_("name"), max_length=200)
    url = models.URLField(_("feed address"), max_length=1000,
                          help_text=_("An iCalendar (.ics) or JSON address, starting with https:// or http://."))
    country = CountryField(_("country"))
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="partner_feeds",
                                     verbose_name=_("organisation"))
    language = models.CharField(_("language of its events"), max_length=8, choices=settings.LANGUAGES,
                                help_text=_("Used when an event of the feed does not say its language."))
    trust = models.CharField(_("trust"), max_length=10, choices=Trust.choices, default=Trust.REVIEW)
    active = models.BooleanField(_("fetch every hour"), default=True)
    # Who registered the feed: its events are created and updated on their behalf (their country's
    # rights, their name in the audit log). Someone who no longer coordinates the country stops it.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                              verbose_name=_("registered by"))
    # Conditional GET: the validators of the last answer read.
    etag = models.CharField(max_length=500, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    last_fetched_at = models.DateTimeField(_("last fetched"), null=True, blank=True, editable=False)
    last_outcome = models.CharField(_("last result"), max_length=20, choices=Outcome.choices, blank=True,
                                    editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)
    # {"created": n, "updated": n, "unchanged": n, "cancelled": n, "invalid": n, "skipped": n,
    #  "problems": [[uid, message], …] (the first few)}
    last_counts = models.JSONField(default=dict, blank=True, editable=False)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("partner feed")
        verbose_name_plural = _("partner feeds")
        ordering = ["country", "name"]

    def __str__(self):
        return self.name

    @property
    def is_trusted(self):
        return self.trust == self.Trust.TRUSTED


class FeedEvent(models.Model):
    """An event that came from a feed, under the feed's own UID for it."""

    feed = models.ForeignKey(PartnerFeed, on_delete=models.CASCADE, related_name="items")
    source_uid = models.CharField(max_length=500)
    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="feed_source")
    # A hash of the values last read: an unchanged item costs no validation and no write.
    fingerprint = models.CharField(max_length=64)
    last_seen_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["feed", "source_uid"], name="feed_event_unique_uid")]

    def __str__(self):
        return f"{self.feed_id}:{self.source_uid}"
