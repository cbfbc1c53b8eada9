"""CSV exports of registrants. Which registrations a user may export is decided in
coordinators.permissions; this module only writes rows."""

import csv

from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext


class _Echo:
    def write(self, value):
        return value


def _safe(value):
    """Spreadsheet programs run cells that start with = + - @ as formulas: neutralise them."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def registrations_csv(registrations, filename):
    header = [_("Event"), _("Event starts"), _("Country"), _("Status"), _("Name"), _("Email"), _("Language"),
              pgettext("moment", "Registered"), pgettext("moment", "Confirmed"),
              pgettext("moment", "Joined the waiting list"), pgettext("moment", "Cancelled")]
    writer = csv.writer(_Echo())

    def rows():
        yield "\ufeff"  # lets spreadsheet programs detect UTF-8
        yield writer.writerow(header)
        for r in registrations.iterator(chunk_size=2000):
            yield writer.writerow([_safe(v) for v in (
                r.event.title, r.event.start.isoformat(), r.event.country.code, r.get_status_display(), r.name,
                r.email, r.language, r.created_at.isoformat(),
                r.confirmed_at.isoformat() if r.confirmed_at else "",
                r.waitlisted_at.isoformat() if r.waitlisted_at else "",
                r.cancelled_at.isoformat() if r.cancelled_at else "",
            )])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def ordered(registrations):
    return registrations.select_related("event").only(
        "name", "email", "status", "language", "created_at", "confirmed_at", "waitlisted_at", "cancelled_at",
        "event__title", "event__start", "event__country",
    ).order_by("event__start", "event_id", "status", "waitlisted_at", "created_at", "pk")


def table_csv(header, rows, filename):
    """Any dashboard table as CSV."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"
        yield writer.writerow([_safe(h) for h in header])
        for row in rows:
            yield writer.writerow([_safe(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def country_events_csv(events, filename):
    """A country's events with their registration counts, streamed in chunks."""
    header = [_("Event"), _("Status"), _("Starts"), _("Time zone"), _("City"), _("Format"), _("Organisation"),
              _("Capacity"), pgettext("number of registrations", "Confirmed"),
              pgettext("number of registrations", "Waiting list")]
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"
        yield writer.writerow(header)
        for event in events.iterator(chunk_size=2000):
            yield writer.writerow([_safe(v) for v in (
                event.title, event.get_status_display(), event.start.isoformat(), event.timezone, event.city,
                event.get_format_display(), event.organisation.name,
                "" if event.capacity is None else event.capacity, event.confirmed, event.waitlisted,
            )])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
