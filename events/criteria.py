"""What a list of events is asked for: the filters of the list page, the feeds, the API and the
widget, once validated (events.filters builds them from query parameters; events.selectors reads
them). A plain value object, so the read layer depends on no form."""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.utils.translation import gettext as _
from django_countries import countries

from . import geo
from .models import Event

ACCESSIBILITY = ("step_free_access", "sign_language", "captions")


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
    audiences: tuple = ()
    step_free_access: bool = False
    sign_language: bool = False
    captions: bool = False
    near: tuple | None = None  # (latitude, longitude)
    within_km: float | None = None  # set whenever `near` is
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
        params += [("audience", value) for value in self.audiences]
        params += [(name, "1") for name in ("step_free_access", "sign_language", "captions") if getattr(self, name)]
        if self.near:
            params.append(("near", ",".join(geo.format_number(value) for value in self.near)))
            params.append(("within", geo.format_number(self.within_km)))
        return params


def describe(filters, topic_names):
    """What the filters select, in the active language: the name of a feed's calendar."""
    parts = []
    if filters.countries:
        parts.append(", ".join(str(countries.name(code)) for code in filters.countries))
    if filters.topics:
        parts.append(", ".join(topic_names.get(slug, slug) for slug in filters.topics))
    if filters.format:
        parts.append(str(Event.Format(filters.format).label))
    if filters.language:
        parts.append(str(dict(settings.LANGUAGES)[filters.language]))
    if filters.q:
        parts.append(f"“{filters.q}”")
    if filters.date_from or filters.date_to:
        parts.append(f"{filters.date_from or '…'} – {filters.date_to or '…'}")
    if filters.audiences or filters.step_free_access or filters.sign_language or filters.captions:
        parts += [str(Event.Audience(value).label) for value in filters.audiences]
        parts += [str(Event._meta.get_field(need).verbose_name) for need in ACCESSIBILITY
                  if getattr(filters, need)]
    if filters.near:
        parts.append(_("within %(distance)s km of %(place)s") % {
            "distance": geo.format_number(filters.within_km), "place": ",".join(map(geo.format_number, filters.near))})
    title = _("European Year of Skills: events")
    return f"{title} ({' · '.join(parts)})" if parts else title
