"""CSV exports of registrants. Which registrations a user may export is decided in
coordinators.permissions; this module only writes rows."""

import csv

from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _


class _Echo:
    def write(self, value):
        return value


def _safe(value):
    """Spreadsheet programs run cells that start with = + - @ as formulas: neutralise them."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def registrations_csv(registrations, filename):
    header = [_("Event"), _("Event starts"), _("Country"), _("Status"), _("Name"), _("Email"), _("Language"),
              _("Registered"), _("Confirmed"), _("Joined the waiting list"), _("Cancelled")]
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
