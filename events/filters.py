"""The filters of the event list, shared by the list page, the iCal feeds and the subscribe page.
Every parameter is validated: a bad value is an error, never a 500."""

from dataclasses import dataclass, field
from datetime import date

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .forms import participating_countries
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

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date must not be before the start date."))
        return cleaned

    def filters(self):
        data = self.cleaned_data
        return EventFilters(
            countries=tuple(sorted(data.get("country") or ())),
            topics=tuple(sorted(data.get("topic") or ())),
            format=data.get("format") or "",
            language=data.get("language") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            q=" ".join((data.get("q") or "").split()),
            past=bool(data.get("past")),
        )


@dataclass(frozen=True)
class EventFilters:
    countries: tuple = ()
    topics: tuple = ()
    format: str = ""
    language: str = ""
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""
    past: bool = False
    extra: dict = field(default_factory=dict, compare=False)

    def as_params(self):
        """Query parameters that reproduce these filters (for feeds and shared links)."""
        params = [("country", code) for code in self.countries] + [("topic", slug) for slug in self.topics]
        for name, value in (("format", self.format), ("language", self.language), ("q", self.q)):
            if value:
                params.append((name, value))
        if self.date_from:
            params.append(("from", self.date_from.isoformat()))
        if self.date_to:
            params.append(("to", self.date_to.isoformat()))
        if self.past:
            params.append(("past", "1"))
        return params
