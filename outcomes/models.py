"""Attendance at an event, the organiser's outcome report, and the certificate each attendee can
prove. They point at events.Event / events.Registration and never change them."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from events.models import Event, Registration

# Certificate codes are printed and typed: no 0/O, 1/I/L.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


class Attendance(models.Model):
    """One person who was there: a registrant marked at the door, or a walk-in. Anonymisation
    keeps the row (the count and the certificate's code) and drops the name and address."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("event"))
    registration = models.OneToOneField(
        Registration, on_delete=models.SET_NULL, null=True, blank=True, related_name="attendance",
    )
    # Walk-ins only: a registrant's name and address stay on their registration.
    name = models.CharField(_("name"), max_length=150, blank=True)
    email = models.EmailField(_("email"), max_length=254, blank=True)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    walk_in = models.BooleanField(default=False)
    code = models.CharField(max_length=12, unique=True, default=new_code, editable=False)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("attendance")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.code

    @property
    def holder_name(self):
        if self.anonymised_at:
            return ""
        return self.registration.name if self.registration_id else self.name

    @property
    def holder_email(self):
        if self.anonymised_at:
            return ""
        return self.registration.email if self.registration_id else self.email


class Ecosystem(models.TextChoices):
    """The 14 industrial ecosystems of the EU's industrial strategy (COM(2021) 350)."""

    AEROSPACE_DEFENCE = "aerospace-defence", _("Aerospace and defence")
    AGRI_FOOD = "agri-food", _("Agri-food")
    CONSTRUCTION = "construction", _("Construction")
    CULTURAL_CREATIVE = "cultural-creative", _("Cultural and creative industries")
    DIGITAL = "digital", _("Digital")
    ELECTRONICS = "electronics", _("Electronics")
    ENERGY_INTENSIVE = "energy-intensive", _("Energy-intensive industries")
    RENEWABLES = "renewables", _("Energy – renewables")
    HEALTH = "health", _("Health")
    MOBILITY = "mobility", _("Mobility – transport – automotive")
    PROXIMITY = "proximity", _("Proximity, social economy and civil security")
    RETAIL = "retail", _("Retail")
    TEXTILES = "textiles", _("Textile")
    TOURISM = "tourism", _("Tourism")


class PartnershipKind(models.TextChoices):
    LSP = "lsp", _("Large-scale Skills Partnership")
    BLUEPRINT = "blueprint", _("Blueprint")
    NETWORK = "network", _("Network")


def _count(label, help_text=""):
    return models.PositiveIntegerField(label, null=True, blank=True, help_text=help_text)


class OutcomeReport(models.Model):
    """What an event achieved, as its organiser reported it (a coordinator may correct it).
    Breakdowns are optional: organisers give them where they know them."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="outcome_report")
    participants = models.PositiveIntegerField(_("participants"))
    women = _count(_("women"))
    men = _count(_("men"))
    gender_other = _count(_("other gender or not stated"))
    age_under_25 = _count(_("aged under 25"))
    age_25_54 = _count(_("aged 25 to 54"))
    age_55_plus = _count(_("aged 55 or over"))
    people_trained = models.PositiveIntegerField(_("people trained"), default=0)
    skills_validated = models.PositiveIntegerField(_("skills validated or certified"), default=0)
    employers_involved = models.PositiveIntegerField(_("employers or SMEs involved"), default=0)
    partnership_kind = models.CharField(_("partnership"), max_length=12, choices=PartnershipKind.choices, blank=True)
    partnership_code = models.CharField(_("partnership code"), max_length=60, blank=True)
    ecosystem = models.CharField(_("industrial ecosystem"), max_length=24, choices=Ecosystem.choices, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    reported_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    FIGURES = ("participants", "women", "men", "gender_other", "age_under_25", "age_25_54", "age_55_plus",
               "people_trained", "skills_validated", "employers_involved")
    FIELDS = FIGURES + ("partnership_kind", "partnership_code", "ecosystem")

    class Meta:
        verbose_name = _("outcome report")

    def __str__(self):
        return f"outcome of {self.event_id}"

    def clean(self):
        errors = {}
        total = self.participants or 0
        for parts, field in ((("women", "men", "gender_other"), "women"),
                             (("age_under_25", "age_25_54", "age_55_plus"), "age_under_25")):
            if sum(getattr(self, part) or 0 for part in parts) > total:
                errors[field] = _("The parts add up to more than the participants.")
        if self.people_trained > total:
            errors["people_trained"] = _("More people trained than participants.")
        if self.partnership_code and not self.partnership_kind:
            errors["partnership_kind"] = _("Which kind of partnership is this code?")
        if errors:
            raise ValidationError(errors)
