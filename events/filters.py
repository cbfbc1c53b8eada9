"""The filters of the event list, shared by the list page, the iCal feeds and the subscribe page.
Every parameter is validated: a bad value is an error, never a 500."""

from datetime import date

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from . import geo
from .countries import participating_countries
from .criteria import EventFilters
from .models import Event

MAX_QUERY_LENGTH = 200
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


class EventFilterForm(forms.Form):
    country = forms.MultipleChoiceField(label=_("Country"), required=False, choices=participating_countries,
                                        widget=forms.CheckboxSelectMultiple)
    topic = forms.MultipleChoiceField(label=_("Topic"), required=False, widget=forms.CheckboxSelectMultiple)
    format = forms.ChoiceField(label=_("Format"), required=False,
                               choices=[("", _("Any format"))] + list(Event.Format.choices))
    language = forms.ChoiceField(label=_("Language of the event"), required=False,
                                 choices=[("", _("Any language"))] + list(settings.LANGUAGES))
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    q = forms.CharField(label=_("Search"), required=False, max_length=MAX_QUERY_LENGTH)
    past = forms.BooleanField(label=_("Show past events"), required=False)
    near = forms.CharField(label=_("Near (latitude, longitude)"), required=False, max_length=geo.MAX_TEXT)
    within = forms.FloatField(label=_("Within (km)"), required=False, min_value=0.1, max_value=geo.MAX_WITHIN_KM)
    audience = forms.MultipleChoiceField(label=_("Audience"), required=False, choices=Event.Audience.choices,
                                         widget=forms.CheckboxSelectMultiple)
    step_free_access = forms.BooleanField(label=_("Step-free access"), required=False)
    sign_language = forms.BooleanField(label=_("Sign language interpretation"), required=False)
    captions = forms.BooleanField(label=_("Captions"), required=False)

    # The public parameter names (DESIGN.md) differ for the dates: `from` is a Python keyword.
    PARAMETERS = {"date_from": "from", "date_to": "to"}

    def __init__(self, params, *, topic_choices):
        super().__init__(params)
        self.fields["topic"].choices = topic_choices

    def add_prefix(self, field_name):
        # Field names in the query string, and in the form's HTML.
        return self.PARAMETERS.get(field_name, field_name)

    def _clean_date(self, name):
        value = self.cleaned_data.get(name)
        if value and not (EARLIEST <= value <= LATEST):
            raise forms.ValidationError(_("Choose a date between %(first)s and %(last)s."),
                                        params={"first": EARLIEST.year, "last": LATEST.year})
        return value

    def clean_date_from(self):
        return self._clean_date("date_from")

    def clean_date_to(self):
        return self._clean_date("date_to")

    def clean_near(self):
        text = self.cleaned_data.get("near") or ""
        if not text.strip():
            return None
        try:
            return geo.parse_point(text)
        except geo.CoordinateError:
            raise forms.ValidationError(
                _("Give a latitude and a longitude separated by a comma, such as 48.8566,2.3522.")) from None

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date must not be before the start date."))
        return cleaned

    def filters(self):
        data = self.cleaned_data
        near = data.get("near")
        return EventFilters(
            countries=tuple(sorted(data.get("country") or ())),
            topics=tuple(sorted(data.get("topic") or ())),
            format=data.get("format") or "",
            language=data.get("language") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            q=" ".join((data.get("q") or "").split()),
            past=bool(data.get("past")),
            audiences=tuple(sorted(data.get("audience") or ())),
            step_free_access=bool(data.get("step_free_access")),
            sign_language=bool(data.get("sign_language")),
            captions=bool(data.get("captions")),
            near=near,
            # Only with a place: `within` alone (a form's default) filters nothing.
            within_km=round(data.get("within") or geo.DEFAULT_WITHIN_KM, 3) if near else None,
        )


class EventListForm(EventFilterForm):
    """The list page's form: the filters, and the order of the results (the list's own: feeds and
    the open-data API keep theirs)."""

    SORT_SOONEST, SORT_NEWEST, SORT_NEAREST = "soonest", "newest", "nearest"
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=[
        ("", _("Default order")), (SORT_SOONEST, _("Soonest first")), (SORT_NEWEST, _("Newest added")),
        (SORT_NEAREST, _("Nearest first"))])

    def __init__(self, params, **kwargs):
        # An empty choice ("All countries" in the home page's search) is no choice, not an error.
        if hasattr(params, "getlist"):
            params = params.copy()
            for name in ("country", "topic", "audience"):
                if name in params:
                    params.setlist(name, [value for value in params.getlist(name) if value.strip()])
        super().__init__(params, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("sort") == self.SORT_NEAREST and not cleaned.get("near") and "near" not in self.errors:
            self.add_error("sort", _("To sort by distance, give a place in “Near”."))
        return cleaned

    def ordering(self):
        """The order of the results: nearest first with a place unless asked otherwise, else
        soonest first."""
        chosen = self.cleaned_data.get("sort") or ""
        if not chosen:
            return self.SORT_NEAREST if self.cleaned_data.get("near") else self.SORT_SOONEST
        return chosen
