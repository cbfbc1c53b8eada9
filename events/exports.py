"""CSV exports of registrants and dashboard tables. Which registrations a user may export is
decided in coordinators.permissions; this module only writes rows. Every CSV the project serves is
written by csv_response() below, which neutralises formulas."""

import csv
import re

from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext


class _Echo:
    def write(self, value):
        return value


# Where a spreadsheet program may start a cell: the start of ours, or after a separator it splits
# on (`,`; `;` in French or German locales; tab) or a line break, if it does not honour the quotes.
# A cell that starts with = + - @ (after spaces or quotes, which some programs trim), tab or CR is
# run as a formula: an apostrophe before it makes it text.
_FORMULA = re.compile(r"(^|[,;\t\r\n])(?=[ \t\r\n\"]*[=+\-@]|[\t\r])")


def safe_cell(value):
    """A cell's text with every place where a formula could start neutralised."""
    text = "" if value is None else str(value)
    return _FORMULA.sub(r"\1'", text)


def csv_lines(header, rows):
    """The lines of a CSV file: a BOM (lets spreadsheet programs detect UTF-8), then the header and
    the rows, every cell quoted and neutralised."""
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_ALL)
    yield "\ufeff"
    yield writer.writerow([safe_cell(value) for value in header])
    for row in rows:
        yield writer.writerow([safe_cell(value) for value in row])


def csv_response(header, rows, filename):
    """Every CSV download: streamed, never cached by a shared cache."""
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def in_zone(moment, zone):
    """A moment as a spreadsheet reads it: the wall-clock time in `zone`, to the minute."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""


def registrations_csv(registrations, filename):
    """Every time in the event's own zone (named in its column), as its registrants saw it."""
    header = [_("Event"), _("Event starts"), _("Time zone"), _("Country"), _("Status"), _("Name"), _("Email"),
              _("Language"), pgettext("moment", "Registered"), pgettext("moment", "Confirmed"),
              pgettext("moment", "Joined the waiting list"), pgettext("moment", "Cancelled")]
    rows = ((
        r.event.title, in_zone(r.event.start, r.event.tzinfo), r.event.timezone, r.event.country.code,
        r.get_status_display(), r.name, r.email, r.language, in_zone(r.created_at, r.event.tzinfo),
        in_zone(r.confirmed_at, r.event.tzinfo), in_zone(r.waitlisted_at, r.event.tzinfo),
        in_zone(r.cancelled_at, r.event.tzinfo),
    ) for r in registrations.iterator(chunk_size=2000))
    return csv_response(header, rows, filename)


def ordered(registrations):
    return registrations.select_related("event").only(
        "name", "email", "status", "language", "created_at", "confirmed_at", "waitlisted_at", "cancelled_at",
        "event__title", "event__start", "event__timezone", "event__country",
    ).order_by("event__start", "event_id", "status", "waitlisted_at", "created_at", "pk")


def table_csv(header, rows, filename):
    """Any dashboard table as CSV."""
    return csv_response(header, rows, filename)


def country_events_csv(events, filename):
    """A country's events with their registration counts, streamed in chunks."""
    header = [_("Event"), _("Status"), _("Starts"), _("Time zone"), _("City"), _("Format"), _("Organisation"),
              _("Capacity"), pgettext("number of registrations", "Confirmed"),
              pgettext("number of registrations", "Waiting list")]
    rows = ((
        event.title, event.get_status_display(), in_zone(event.start, event.tzinfo), event.timezone, event.city,
        event.get_format_display(), event.organisation.name,
        "" if event.capacity is None else event.capacity, event.confirmed, event.waitlisted,
    ) for event in events.iterator(chunk_size=2000))
    return csv_response(header, rows, filename)
