"""Forms for organisers (public site) and coordinators (admin). They validate and clean input;
saving goes through events.services, which checks permission again."""

import copy
import zoneinfo
from datetime import datetime
from datetime import timezone as dt_timezone

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail.images.fields import WagtailImageField

from .countries import participating_countries
from .models import Event, Organisation, Topic
from .richtext import sanitise_description
from .widgets import RichTextArea

DESCRIPTION_MAX_LENGTH = 20_000
MAX_CAPACITY = 100_000


def show_service_errors(form, error):
    """A ValidationError that only the service could raise (a race, a state change) shown on the
    form: on its field where the form has one, else above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def timezone_choices():
    zones = sorted(zone for zone in zoneinfo.available_timezones() if "/" in zone and not zone.startswith("Etc/"))
    return [("", "---------")] + [(zone, zone.replace("_", " ")) for zone in zones]


# The largest key a BigAutoField holds. A bigger number from a hostile form is not a choice at
# all, not a database error (SQLite raised OverflowError, PostgreSQL "out of range").
MAX_PK = 2**63 - 1


def _in_pk_range(value):
    text = str(value).strip()
    # Length first: int() refuses numbers of more than 4,300 digits with a ValueError.
    return not text.isdigit() or (len(text) <= len(str(MAX_PK)) and int(text) <= MAX_PK)


class ChoiceOfModelField(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and not _in_pk_range(value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ChoicesOfModelField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value if isinstance(value, (list, tuple)) else []:
            if not _in_pk_range(pk):
                raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                      params={"value": str(pk)[:20]})
        return super()._check_values(value)


class LocalDateTimeField(forms.DateTimeField):
    """A wall-clock time with no zone yet: the form applies the event's own time zone. (Django's
    field would read it in the server's zone first, and refuse times that only that zone skips.)"""

    widget = None

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", LocalDateTimeInput())
        super().__init__(**kwargs)

    # Events of the Year and of any plausible later campaign; year 1 or 9999 in a zone away from
    # UTC cannot even be converted (Python's dates end there).
    YEARS = range(2000, 2101)

    def to_python(self, value):
        with timezone.override(dt_timezone.utc):  # UTC has no gaps: nothing is refused here
            result = super().to_python(value)
        if result and result.year not in self.YEARS:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return result.replace(tzinfo=None) if result else result

    def prepare_value(self, value):
        return value.replace(tzinfo=None) if isinstance(value, datetime) else value


def in_zone(naive, tz):
    """The aware time for a wall-clock time in a zone, or None when the clock skips it (the hour
    lost when summer time starts). In the repeated hour in autumn, the first one is taken."""
    aware = naive.replace(tzinfo=tz, fold=0)
    try:
        if aware.astimezone(dt_timezone.utc).astimezone(tz).replace(tzinfo=None) != naive:
            return None
    except OverflowError:  # beyond Python's calendar once moved to UTC
        return None
    return aware


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)



class HoneypotMixin:
    """A field people do not see (nor reach by keyboard) and bots fill in. Forms of signed-in
    organisers refuse a filled one with an error instead of pretending success: a person whose
    browser filled it in by mistake learns why nothing was saved."""

    HONEYPOT = "homepage"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[self.HONEYPOT] = forms.CharField(
            required=False, label=_("Leave this field empty"), template_name="events/_honeypot_field.html",
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.pop(self.HONEYPOT, ""):  # never handed on to the services
            raise forms.ValidationError(_("This form was filled in automatically, so it was not saved. "
                                          "Please fill it in yourself."), code="honeypot")
        return cleaned_data


class EventForm(forms.ModelForm):
    """Times are typed as wall-clock times in the event's own time zone (not the visitor's), and
    stored as aware datetimes."""

    LOCAL_TIME_FIELDS = ("start", "end", "registration_opens", "registration_closes")

    required_css_class = "required"  # the label's mark (static/css/site.css); inputs carry `required`
    # The form in sections, in this order. Fields in none of them (the organisation, a honeypot)
    # come first, before the sections.
    FIELDSETS = (
        (_("What"), ("title", "summary", "description", "language", "topics", "target_audience", "image_file",
                     "image_alt", "remove_image")),
        (_("When"), ("start", "end", "timezone")),
        (_("Where"), ("format", "online_url", "venue", "address", "city", "postcode", "latitude", "longitude")),
        (_("Registration"), ("registration_mode", "capacity", "external_registration_url", "registration_opens",
                             "registration_closes")),
        (_("Accessibility"), ("step_free_access", "sign_language", "captions", "accessibility_notes")),
    )
    # Fields that apply only for some values of another field: hidden by static/js/event-form.js
    # for the others (never while they show an error), always shown without JavaScript.
    APPLIES_WHEN = {
        "online_url": ("format", ("online", "hybrid")),
        **{name: ("format", ("onsite", "hybrid"))
           for name in ("venue", "address", "city", "postcode", "latitude", "longitude")},
        **{name: ("registration_mode", ("platform",))
           for name in ("capacity", "registration_opens", "registration_closes")},
        "external_registration_url": ("registration_mode", ("external",)),
    }

    start = LocalDateTimeField(label=_("start"))
    end = LocalDateTimeField(label=_("end"))
    registration_opens = LocalDateTimeField(label=_("registration opens"), required=False)
    registration_closes = LocalDateTimeField(label=_("registration closes"), required=False)
    timezone = forms.ChoiceField(label=_("time zone"), choices=timezone_choices)
    description = forms.CharField(
        label=_("description"), required=False, widget=RichTextArea(), max_length=DESCRIPTION_MAX_LENGTH,
        help_text=_("Paragraphs, bold, italic, lists and links are kept; other formatting is removed."),
    )
    capacity = forms.IntegerField(
        label=_("capacity"), required=False, min_value=1, max_value=MAX_CAPACITY,
        help_text=_("Leave empty for unlimited places."),
    )
    topics = ChoicesOfModelField(
        label=_("topics"), queryset=Topic.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
    )
    # Wagtail's image field: the formats, size and pixel limits of the image library
    # (WAGTAILIMAGES_*), with their messages.
    image_file = WagtailImageField(
        label=_("image"), required=False,
        help_text=_("Optional. A photo or picture for the event's card and page, and for links to it shared "
                    "elsewhere: JPEG, PNG or WebP, at most 10 MB, ideally 1200 × 630 pixels or larger."),
    )
    remove_image = forms.BooleanField(label=_("Remove the image"), required=False)
    IMAGE_FIELDS = ("image_file", "image_alt", "remove_image")

    class Meta:
        model = Event
        fields = [
            "title", "summary", "description", "language", "topics", "target_audience",
            "format", "online_url", "venue", "address", "city", "postcode", "latitude", "longitude",
            "start", "end", "timezone",
            "step_free_access", "sign_language", "captions", "accessibility_notes",
            "capacity", "registration_mode", "external_registration_url",
            "registration_opens", "registration_closes", "image_alt",
        ]
        help_texts = {
            "latitude": _("In decimal degrees, for example 50.846700."),
            "longitude": _("In decimal degrees, for example 4.352500."),
        }
        widgets = {
            # Filled by the map's pin (static/js/event-map.js); typed by anyone without the map.
            "latitude": forms.NumberInput(attrs={"step": "0.000001", "min": "-90", "max": "90"}),
            "longitude": forms.NumberInput(attrs={"step": "0.000001", "min": "-180", "max": "180"}),
            "summary": forms.Textarea(attrs={"rows": 2}),
            "accessibility_notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        # Model validation (end after start, links for online events …) writes the typed values
        # on the form's instance: a copy, so a failed form never leaves half-applied values on an
        # object someone might save or show. Saving goes through the services, not form.save().
        if kwargs.get("instance") is not None:
            kwargs["instance"] = copy.copy(kwargs["instance"])  # Model.__getstate__: its own state
        super().__init__(*args, **kwargs)
        from wagtail.models import Locale

        # Topics in the visitor's language where translated, else in the default language.
        locale = Locale.get_active()
        default = Locale.get_default()
        topics = Topic.objects.filter(locale=locale)
        if not topics.exists():
            topics = Topic.objects.filter(locale=default)
        self.fields["topics"].queryset = topics.order_by("name")
        if self.instance.pk:
            # Show stored times on the event's own clock.
            tz = self.instance.tzinfo
            for name in self.LOCAL_TIME_FIELDS:
                value = getattr(self.instance, name)
                if value:
                    self.initial[name] = timezone.localtime(value, tz).replace(tzinfo=None)
            self.initial["topics"] = self._matching_topics(self.instance.topics.all())
        for name in self.LOCAL_TIME_FIELDS:
            self.fields[name].help_text = _("In the event's time zone.")
        if not self.instance.image_id:
            del self.fields["remove_image"]
        self.fields["image_file"].widget.attrs["accept"] = "image/jpeg,image/png,image/webp"
        # Labels start with a capital letter (the model's verbose names do not).
        for field in self.fields.values():
            if field.label:
                field.label = capfirst(field.label)

    def ungrouped_fields(self):
        grouped = {name for _legend, names in self.FIELDSETS for name in names}
        return [field for field in self.visible_fields() if field.name not in grouped]

    def fieldsets(self):
        """(legend, [(bound field, "field=value,value" or "")]) for the sections with fields."""
        for legend, names in self.FIELDSETS:
            fields = []
            for name in names:
                if name in self.fields:
                    control, values = self.APPLIES_WHEN.get(name, ("", ()))
                    fields.append((self[name], f"{control}={','.join(values)}" if control in self.fields else ""))
            if fields:
                yield legend, fields

    @property
    def pin_map(self):
        """The map on which the event's pin is placed (templates/events/_map.html), when a tile
        server is configured; the latitude and longitude inputs stay the accessible way."""
        from . import maps

        if not maps.map_enabled() or "latitude" not in self.fields:
            return None
        country = self.instance.country.code if self.instance.country else ""
        return maps.map_attributes(kind="pick", id="event-pin-map", lat_input="#id_latitude",
                                   lon_input="#id_longitude", bbox=maps.country_bbox(country),
                                   title=_("Place of the event on the map"))

    def guess_timezone(self, country_code):
        """A new event's time zone defaults to its country's usual one."""
        from .zones import country_timezone

        zone = country_timezone(country_code)
        if zone and not self.instance.pk and not self.is_bound:
            self.initial.setdefault("timezone", zone)

    def _matching_topics(self, topics):
        """The stored topics, shown as their translation in the form's language."""
        keys = [topic.translation_key for topic in topics]
        return list(self.fields["topics"].queryset.filter(translation_key__in=keys))

    def clean_description(self):
        return sanitise_description(self.cleaned_data.get("description"))

    def clean_title(self):
        return " ".join(self.cleaned_data["title"].split())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("remove_image") and not cleaned.get("image_file"):
            self.instance.image = None  # the form's own copy: its model checks see no image
        elif cleaned.get("image_file") and "image_alt" in self.fields and not (cleaned.get("image_alt") or "").strip():
            self.add_error("image_alt", _("Describe the image for people who cannot see it."))
        zone = cleaned.get("timezone")
        if zone:
            tz = zoneinfo.ZoneInfo(zone)
            for name in self.LOCAL_TIME_FIELDS:
                value = cleaned.get(name)
                if isinstance(value, datetime):
                    aware = in_zone(value, tz)
                    if aware is None:
                        self.add_error(name, _("This time does not exist in the event's time zone (the clocks "
                                               "change then). Choose another time."))
                        cleaned.pop(name, None)
                    else:
                        cleaned[name] = aware
            self._keep_unchanged_times(cleaned)
        else:
            # No valid zone (that field shows the error): compare the times as they are.
            for name in self.LOCAL_TIME_FIELDS:
                if isinstance(cleaned.get(name), datetime):
                    cleaned[name] = cleaned[name].replace(tzinfo=dt_timezone.utc)
        start = cleaned.get("start")
        if start and self._start_must_be_future(cleaned) and start <= timezone.now():
            self.add_error("start", _("The start must be in the future."))
        if cleaned.get("capacity") is not None and cleaned.get("registration_mode") != Event.RegistrationMode.PLATFORM:
            self.add_error("capacity", _("Capacity applies only to registration on this platform."))
        return cleaned

    def _keep_unchanged_times(self, cleaned):
        """The form shows minutes; a stored time with seconds that was left alone stays exactly as
        it was (no spurious change, no raised SEQUENCE)."""
        if not self.instance.pk:
            return
        for name in self.LOCAL_TIME_FIELDS:
            stored, typed = getattr(self.instance, name), cleaned.get(name)
            if stored and typed and stored.replace(second=0, microsecond=0) == typed:
                cleaned[name] = stored

    def _start_must_be_future(self, cleaned):
        return not self.instance.pk or cleaned.get("start") != self.instance.start

    def service_data(self):
        """The cleaned values the services accept, topics apart; a new image as `image_upload`."""
        data = {name: value for name, value in self.cleaned_data.items()
                if name not in {"topics", "organisation", "image_file"}}
        if self.cleaned_data.get("image_file"):
            data["image_upload"] = self.cleaned_data["image_file"]
        return data

    def selected_topics(self):
        """Topics are stored in their original (default-language) form."""
        chosen = self.cleaned_data.get("topics") or []
        keys = [topic.translation_key for topic in chosen]
        from wagtail.models import Locale

        return list(Topic.objects.filter(translation_key__in=keys, locale=Locale.get_default()))


class OrganiserEventForm(HoneypotMixin, EventForm):
    """Organisers pick one of their organisations when they create an event; its country is the
    event's country."""

    organisation = ChoiceOfModelField(label=_("organisation"), queryset=Organisation.objects.none())

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].queryset = organisations
            if len(organisations) == 1:
                self.initial.setdefault("organisation", organisations.first().pk)
            countries = {organisation.country.code for organisation in organisations}
            if len(countries) == 1:
                self.guess_timezone(countries.pop())
            self.order_fields(["organisation"])

    def clean(self):
        organisation = self.cleaned_data.get("organisation")
        if organisation is not None:
            self.instance.organisation = organisation
            self.instance.country = organisation.country
        return super().clean()


class CoordinatorEventForm(EventForm):
    """Coordinators choose the country (among theirs) and the organisation (of that country)."""

    country = forms.ChoiceField(label=_("country"))
    organisation = ChoiceOfModelField(label=_("organisation"), queryset=Organisation.objects.none())

    def __init__(self, *args, countries, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "---------")] + [
            (code, name) for code, name in participating_countries() if code in countries
        ]
        self.fields["organisation"].queryset = organisations
        if self.instance.pk:
            # An event keeps its organisation, and so its country.
            del self.fields["country"], self.fields["organisation"]
        else:
            self.order_fields(["country", "organisation"])
            if len(countries) == 1:
                self.guess_timezone(next(iter(countries)))

    def clean(self):
        cleaned = super().clean()
        organisation, country = cleaned.get("organisation"), cleaned.get("country")
        if organisation and country and organisation.country.code != country:
            self.add_error("organisation", _("Choose an organisation of the event's country."))
        return cleaned


class CancelForm(forms.Form):
    message = forms.CharField(
        label=_("Message to participants"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000,
        help_text=_("Why the event is cancelled, and what happens next."),
    )


class OrganiserCancelForm(HoneypotMixin, CancelForm):
    pass


class OrganisationForm(HoneypotMixin, forms.ModelForm):
    country = forms.ChoiceField(label=_("country"), choices=participating_countries)

    class Meta:
        model = Organisation
        fields = ["name", "country", "website"]

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())


class RequestChangesForm(forms.Form):
    comment = forms.CharField(
        label=_("What should the organiser change?"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000,
    )


class RejectForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=Event.RejectionReason.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note to the organiser"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000,
    )


class RegistrationForm(forms.Form):
    """Guests give a name, an email address and their consent. `website` is a honeypot: people do
    not see it, bots fill it in."""

    name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(label=_("Your email address"), max_length=254)
    consent = forms.BooleanField(
        label=_("I agree that my name and email address are shared with the organiser of this event and used to "
                "send me messages about it."),
        error_messages={"required": _("Please agree to the processing of your data.")},
        template_name="events/_checkbox_field.html",
    )
    website = forms.CharField(required=False, label=_("Leave this field empty"),
                              template_name="events/_honeypot_field.html",
                              widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Please give your name."))
        return name

    def is_bot(self):
        return bool(self.cleaned_data.get("website"))


class AccountRegistrationForm(forms.Form):
    """Signed-in people register in one click; the button says what is shared."""

    consent = forms.BooleanField(initial=True, widget=forms.HiddenInput)
