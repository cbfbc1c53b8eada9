"""Charts of the dashboards as data: bars with their labels and a text summary, and the table
behind each chart (also its CSV export). The templates draw them as inline SVG: no script, no
CDN, nothing the Content-Security-Policy has to allow, and colours that follow the admin theme."""

from dataclasses import dataclass

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.utils.translation import gettext_lazy

from events.models import Event, Registration


LABEL_WIDTH, BAR_SPACE, ROW = 170, 250, 26  # SVG user units of a 480-wide chart


@dataclass
class Bar:
    label: str
    value: int
    share: float  # 0..100, of the largest bar
    index: int = 0

    @property
    def y(self):
        return self.index * ROW

    @property
    def width(self):
        return round(BAR_SPACE * self.share / 100, 1)

    @property
    def value_x(self):
        return LABEL_WIDTH + self.width + 6


@dataclass
class Chart:
    slug: str
    title: str
    bars: list
    summary: str
    header: tuple  # the table's column titles

    @property
    def height(self):
        return len(self.bars) * ROW + 8


def _bars(pairs):
    largest = max((value for _label, value in pairs), default=0) or 1
    return [Bar(str(label), value, round(100 * value / largest, 1), index) for index, (label, value) in enumerate(pairs)]


def _summary(title, pairs, total=None):
    if not pairs:
        return _("%(title)s: no data for this period.") % {"title": title}
    label, value = max(pairs, key=lambda pair: pair[1])
    total = total if total is not None else sum(value for _label, value in pairs)
    return _("%(title)s: %(total)s in all; the largest is %(label)s with %(value)s.") % {
        "title": title, "total": total, "label": label, "value": value}


def _chart(slug, title, pairs, header):
    pairs = [(str(label), value) for label, value in pairs]
    return Chart(slug, str(title), _bars(pairs), _summary(str(title), pairs), tuple(str(h) for h in header))




def country_tables(board):
    """name → (header, rows) for every table of a country's dashboard."""
    statuses = dict(Event.Status.choices)
    registration_statuses = dict(Registration.Status.choices)
    return {
        "status": ((_("Status"), _("Events")), [(statuses[s], n) for s, n in board.status.items()]),
        "topics": ((_("Topic"), _("Events")), board.topics),
        "formats": ((_("Format"), _("Events")), board.formats),
        "languages": ((_("Language"), _("Events")), board.languages),
        "months": ((_("Month"), _("Events")),
                   [(formats.date_format(month, "YEAR_MONTH_FORMAT"), n) for month, n in board.months]),
        "cities": ((_("City"), _("Events")), board.cities),
        "registrations": ((_("Registrations"), _("Number")),
                          [(registration_statuses[s], n) for s, n in board.registrations.items()]),
        "fullest": ((_("Event"), pgettext("number of registrations", "Confirmed"), _("Capacity")),
                    [(event.title, event.confirmed, event.capacity) for event in board.fullest]),
        "organisations": ((_("Organisation"), _("Events")), board.organisations),
    }


CHART_TITLES = {
    "status": gettext_lazy("Events by status"),
    "topics": gettext_lazy("Published events by topic"),
    "formats": gettext_lazy("Published events by format"),
    "languages": gettext_lazy("Published events by language"),
    "months": gettext_lazy("Published events per month"),
    "cities": gettext_lazy("Published events by city"),
    "registrations": gettext_lazy("Registrations"),
    "organisations": gettext_lazy("Top organisations"),
}


def country_charts(board):
    tables = country_tables(board)
    return [_chart(slug, title, tables[slug][1], tables[slug][0]) for slug, title in CHART_TITLES.items()]


def eu_table(rows):
    header = (_("Country"), _("Events"), _("Published"), _("Waiting for review"), _("Oldest waiting since"),
              _("Confirmed registrations"), _("Waiting list"), _("Coordinators"))
    return header, [
        (row.name, row.events, row.published, row.submitted,
         row.oldest_submission.date().isoformat() if row.oldest_submission else "", row.confirmed, row.waitlisted,
         row.coordinators)
        for row in rows
    ]


def eu_charts(rows):
    return [
        _chart("published", gettext_lazy("Published events by country"),
               sorted(((row.name, row.published) for row in rows if row.published), key=lambda p: -p[1]),
               (_("Country"), _("Events"))),
        _chart("registrations", gettext_lazy("Confirmed registrations by country"),
               sorted(((row.name, row.confirmed) for row in rows if row.confirmed), key=lambda p: -p[1]),
               (_("Country"), _("Registrations"))),
    ]


