"""Events and the organisations that run them. Plain Django models (not pages): the public side
reads them through selectors.py, every write goes through services.py."""

import uuid
import zoneinfo
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import TranslatableMixin
from wagtail.search import index

EVENT_RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul"]


def normalise_url(url):
    """https://www.Example.org/Page/?utm_source=x#top → example.org/Page: the same page however it
    was pasted, so two submissions of one event are found as duplicates."""
    if not url:
        return ""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    query = urlencode(sorted(
        (key, value) for key, value in parse_qsl(parts.query) if not key.lower().startswith("utm_")
    ))
    normalised = host + (parts.path.rstrip("/") or "")
    return (normalised + ("?" + query if query else ""))[:500]


def validate_timezone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    country = CountryField(_("country"))
    website = models.URLField(_("website"), blank=True)
    verified = models.BooleanField(
        _("verified"), default=False, help_text=_("Checked by a national coordinator.")
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="organisations", blank=True, verbose_name=_("members")
    )
    # Part of every invitation link; raising it revokes the links handed out so far.
    invite_version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Topic(TranslatableMixin, models.Model):
    """The Year's four objectives and sector themes; translated with wagtail-localize."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120)
    image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("image"),
        help_text=_("Shown for the events of this topic that have no image of their own. Give the image a "
                    "description in the image library: it is the text for people who cannot see it."),
    )

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("image")]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "locale"], name="topic_slug_unique_per_locale")
        ]

    def __str__(self):
        return self.name


class Event(index.Indexed, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("event status", "Draft")
        SUBMITTED = "submitted", pgettext_lazy("event status", "Submitted")
        CHANGES_REQUESTED = "changes_requested", pgettext_lazy("event status", "Changes requested")
        PUBLISHED = "published", pgettext_lazy("event status", "Published")
        REJECTED = "rejected", pgettext_lazy("event status", "Rejected")
        CANCELLED = "cancelled", pgettext_lazy("event status", "Cancelled")

    # The states whose page the public may see (a cancelled event's page says it is cancelled).
    PUBLIC = (Status.PUBLISHED, Status.CANCELLED)

    # What pages show beside the fields, set on the events of a page by its view or selectors:
    # the language of an organiser's translation put in place of the text
    # (contenttranslation.selectors.with_translations), the topics' names in the reader's language
    # and the places left. These defaults are what a template sees for an event that was not given
    # one; without them each lookup failed, and Django then lists the event's attributes (dir())
    # to tell a missing attribute from a failing property: 80 times for a list page.
    content_language = ""
    topic_labels = ()
    places_left = None

    class Format(models.TextChoices):
        ONSITE = "onsite", _("On site")
        ONLINE = "online", _("Online")
        HYBRID = "hybrid", _("Hybrid")

    class RegistrationMode(models.TextChoices):
        PLATFORM = "platform", _("On this platform")
        EXTERNAL = "external", _("External link")
        NONE = "none", _("No registration")

    class RejectionReason(models.TextChoices):
        OUT_OF_SCOPE = "out_of_scope", _("Not related to skills")
        COMMERCIAL = "commercial", _("Purely commercial")
        DUPLICATE = "duplicate", _("Duplicate of another event")
        INCOMPLETE = "incomplete", _("Information missing or unclear")
        WRONG_COUNTRY = "wrong_country", _("Wrong country")
        SPAM = "spam", _("Spam")
        OTHER = "other", _("Other")

    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("Everyone")
        STUDENTS = "students", _("Students and young people")
        JOBSEEKERS = "jobseekers", _("Jobseekers")
        WORKERS = "workers", _("Workers")
        EMPLOYERS = "employers", _("Employers")
        EDUCATORS = "educators", _("Teachers and trainers")
        PUBLIC_SECTOR = "public_sector", _("Public authorities")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, allow_unicode=True)
    summary = models.CharField(_("summary"), max_length=300)
    description = RichTextField(_("description"), features=EVENT_RICH_TEXT_FEATURES, blank=True)
    language = models.CharField(
        _("language of the event"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    format = models.CharField(_("format"), max_length=10, choices=Format.choices, default=Format.ONSITE)
    online_url = models.URLField(_("online link"), blank=True, max_length=500)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    country = CountryField(_("country"))
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    # The geocoder could not place the address (events.tasks.geocode_event): a coordinator should
    # place the pin. Cleared when coordinators or the geocoder set the coordinates.
    geocode_failed = models.BooleanField(_("address not found on the map"), default=False, editable=False)
    step_free_access = models.BooleanField(_("step-free access"), default=False)
    sign_language = models.BooleanField(_("sign language interpretation"), default=False)
    captions = models.BooleanField(_("captions"), default=False)
    accessibility_notes = models.TextField(_("accessibility information"), blank=True, max_length=1000)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Brussels", validators=[validate_timezone]
    )
    topics = models.ManyToManyField(Topic, related_name="events", blank=True, verbose_name=_("topics"))
    image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("image"),
    )
    image_alt = models.CharField(
        _("image description"), max_length=250, blank=True,
        help_text=_("What the image shows, for people who cannot see it."),
    )
    # A copy of the topics' ids ("3,7", sorted), kept by refresh_topic_keys() whenever the links
    # change: the list's facet counts group on it with the country, format and language, in one
    # index-only scan (events.selectors.event_search), instead of joining the link table.
    topic_key = models.CharField(max_length=200, blank=True, default="", editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="events", verbose_name=_("organisation")
    )
    target_audience = models.CharField(
        _("target audience"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE
    )
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Leave empty for unlimited places.")
    )
    registration_mode = models.CharField(
        _("registration"), max_length=10, choices=RegistrationMode.choices,
        default=RegistrationMode.PLATFORM,
    )
    external_registration_url = models.URLField(_("external registration link"), blank=True, max_length=500)
    registration_opens = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes = models.DateTimeField(_("registration closes"), null=True, blank=True)

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    moderation_comment = models.TextField(_("coordinator's comment"), blank=True)
    rejection_reason = models.CharField(
        _("reason for rejection"), max_length=20, choices=RejectionReason.choices, blank=True
    )
    cancellation_message = models.TextField(_("cancellation message"), blank=True)
    # Moderation at scale (events.spam, events.services): a rough spam score with its reasons,
    # computed on submission and update; events of verified organisations published directly
    # wait for a coordinator's spot check.
    spam_score = models.PositiveSmallIntegerField(_("spam score"), default=0, editable=False)
    spam_reasons = models.JSONField(default=list, blank=True, editable=False)
    spot_check = models.BooleanField(_("waiting for a spot check"), default=False, editable=False)
    # The online or registration link reduced to a comparable form, for duplicate detection.
    normalised_url = models.CharField(max_length=500, blank=True, db_index=True, editable=False)
    # iCal SEQUENCE: rises on every change of time, place or status (events.services).
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Free-text search of the event list: Wagtail's database backend in development, PostgreSQL
    # full text in production.
    search_fields = [
        index.SearchField("title", boost=3),
        index.SearchField("summary", boost=2),
        index.SearchField("description"),
        index.SearchField("city"),
        index.AutocompleteField("title"),
        index.FilterField("status"),
        index.FilterField("country"),
        index.FilterField("start"),
        index.FilterField("end"),
    ]

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["start", "pk"]
        indexes = [
            models.Index(fields=["status", "country", "start"], name="event_public_idx"),
            models.Index(fields=["status", "start"], name="event_status_start_idx"),
            models.Index(fields=["status", "submitted_at"], name="event_queue_idx"),
            models.Index(fields=["status", "country", "spam_score"], name="event_queue_spam_idx"),
            # The map's boxes and the distance filter's prefilter: a range on latitude, then
            # longitude, among published events; events without coordinates are left out.
            models.Index(fields=["status", "latitude", "longitude"], name="event_map_idx",
                         condition=Q(latitude__isnull=False)),
            # The list's facet counts: upcoming (or past) published events, read from the index
            # alone on PostgreSQL (INCLUDE is ignored elsewhere).
            models.Index(fields=["status", "end"], include=["country", "format", "language", "topic_key"],
                         name="event_facets_idx"),
            # A country's dashboard (coordinators.dashboard): every figure over its events in a
            # period is read from this index alone on PostgreSQL, not from the events' rows.
            models.Index(fields=["country", "status", "start"],
                         include=["id", "format", "language", "city", "organisation", "topic_key", "capacity",
                                  "submitted_at", "decided_at"],
                         name="event_dashboard_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="event_end_after_start"),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=0), name="event_capacity_not_negative"
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        """Rules that hold for every way an event is written: forms, admin and services."""
        errors = {}
        if self.start and self.end and self.end <= self.start:
            errors["end"] = _("The end must be after the start.")
        if self.format in (self.Format.ONLINE, self.Format.HYBRID) and not self.online_url:
            errors["online_url"] = _("Online and hybrid events need a link to join.")
        if self.image_id and not self.image_alt.strip():
            errors["image_alt"] = _("Describe the image for people who cannot see it.")
        if self.format in (self.Format.ONSITE, self.Format.HYBRID) and not (self.address and self.city):
            errors["address"] = _("Events on site need an address and a city.")
        if self.registration_mode == self.RegistrationMode.EXTERNAL and not self.external_registration_url:
            errors["external_registration_url"] = _("Give the link where people register.")
        if self.registration_opens and self.registration_closes and self.registration_closes <= self.registration_opens:
            errors["registration_closes"] = _("Registration must close after it opens.")
        elif self.registration_closes and self.end and self.registration_closes > self.end:
            errors["registration_closes"] = _("Registration must close before the event ends.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        from .richtext import sanitise_description

        self.normalised_url = normalise_url(self.online_url or self.external_registration_url)
        self.description = sanitise_description(self.description)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"online_url", "external_registration_url"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "normalised_url"}
        super().save(*args, **kwargs)

    def join_link_for(self, registration=None):
        """The link to join online, if `registration` (or anyone, for None) may have it: never for
        an event on site or a cancelled one; with registration on this platform, only for a
        confirmed place; with registration elsewhere or none, for anyone (the page is then the
        only place to find it). The one rule for the event page, the emails and their calendar
        files."""
        if self.format == self.Format.ONSITE or self.status == self.Status.CANCELLED or not self.online_url:
            return ""
        if self.registration_mode == self.RegistrationMode.PLATFORM:
            confirmed = registration is not None and registration.status == Registration.Status.CONFIRMED
            return self.online_url if confirmed else ""
        return self.online_url

    def shown_image(self, topic_images):
        """(image id, alt text) to show for the event: its own image, else the image of its first
        topic that has one (`topic_images`: topic id → (image id, description), see
        events.selectors.topic_images), else None. Reads topic_key: no query."""
        if self.image_id:
            return self.image_id, self.image_alt
        for pk in self.topic_key.split(",") if self.topic_key else ():
            if int(pk) in topic_images:
                return topic_images[int(pk)]
        return None

    @property
    def is_public(self):
        """Whether the event's page is public (events.selectors.published_events)."""
        return self.status in self.PUBLIC

    @property
    def tzinfo(self):
        return zoneinfo.ZoneInfo(self.timezone)


class Registration(models.Model):
    """A place at an event, or a place on its waiting list. Guests' registrations count only once
    they confirm their email address. Every write goes through events.services, which holds the
    event's row lock while it counts places."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("registration status", "Waiting for email confirmation")
        CONFIRMED = "confirmed", pgettext_lazy("registration status", "Confirmed")
        WAITLISTED = "waitlisted", pgettext_lazy("registration status", "On the waiting list")
        CANCELLED = "cancelled", pgettext_lazy("registration status", "Cancelled")

    ACTIVE = (Status.PENDING, Status.CONFIRMED, Status.WAITLISTED)

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("event"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="registrations"
    )
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email"), max_length=254)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    consent_at = models.DateTimeField()
    # Which wording the person accepted: the form's consent wording and the privacy notice's
    # revision at that moment (campaigns.selectors.consent_version).
    consent_version = models.CharField(max_length=40, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # First come, first served: the moment someone joined the waiting list orders it.
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "pk"]
        constraints = [
            # One active registration per person and event, whatever the race.
            models.UniqueConstraint(
                fields=["event", "email"], condition=~Q(status="cancelled"), name="one_active_registration_per_email"
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status", "waitlisted_at"], name="registration_event_status_idx"),
            models.Index(fields=["status", "reminder_sent_at"], name="registration_reminder_idx"),
        ]

    def __str__(self):
        return f"{self.name} – {self.event}"


class EmailDelivery(models.Model):
    """One email that a task sends, claimed before it goes out. A task that is retried, or taken
    up again after its worker died, finds its earlier sends here and does not repeat them.

    The key names the task run and the recipient's row (never an address), e.g.
    `<task id>:registration:<pk>`."""

    key = models.CharField(max_length=160, unique=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # Bookkeeping of the task worker, shown nowhere, so not translated.
        indexes = [models.Index(fields=["created_at"], name="emaildelivery_created_idx")]

    def __str__(self):
        return self.key


class Stamp(models.Model):
    """A named moment kept in the database, of which the cache holds a copy: "labels" is when a
    name that events show but do not own (a topic's, an organisation's) last changed, part of the
    feeds' validators (events.cache.labels_changed_at). In the database so that a cache that
    loses it (eviction, restart, outage) reads the same moment again, not a new one."""

    name = models.CharField(max_length=40, primary_key=True)
    at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} {self.at.isoformat()}"


def topic_key(topic_ids):
    return ",".join(str(pk) for pk in sorted(set(topic_ids)))


def refresh_topic_keys(event_ids, *, chunk=2000):
    """Write each event's topic_key from its links (after any change to them; events.apps connects
    it to m2m_changed). Per 2,000 events: two reads, then one update of those whose key changed."""
    event_ids = list(event_ids)
    for start in range(0, len(event_ids), chunk):
        ids = event_ids[start:start + chunk]
        links = {}
        for event_id, topic_id in Event.topics.through.objects.filter(event_id__in=ids).values_list(
                "event_id", "topic_id"):
            links.setdefault(event_id, []).append(topic_id)
        changed = []
        for event_id, key in Event.objects.filter(pk__in=ids).values_list("pk", "topic_key"):
            fresh = topic_key(links.get(event_id, ()))
            if fresh != key:
                changed.append(Event(pk=event_id, topic_key=fresh))
        Event.objects.bulk_update(changed, ["topic_key"], batch_size=1000)


def link_topics(pairs, *, batch_size=5000):
    """Bulk-create topic links from (event id, topic id) pairs, and their events' topic_key (a bulk
    insert sends no m2m_changed): for seeding and benchmarks."""
    pairs = list(pairs)
    Through = Event.topics.through
    Through.objects.bulk_create([Through(event_id=event_id, topic_id=topic_id) for event_id, topic_id in pairs],
                                batch_size=batch_size)
    refresh_topic_keys(dict.fromkeys(event_id for event_id, _topic_id in pairs))
