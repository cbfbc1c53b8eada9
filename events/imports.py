"""Bulk import of events from a CSV or XLSX file (partners' spreadsheets).

Parsing turns an upload into rows of strings keyed by the stable column names of COLUMNS (the
event form's field names). Validation runs each row through the event form itself (ImportEventForm
is an EventForm), so a row is accepted exactly when the form would accept it. The import creates
each good row through services.event_create (and event_submit for organisers), in one transaction:
the same permission checks and audit log entries as one event at a time."""

import csv
import io
import secrets
import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django import forms
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .forms import EventForm
from .models import Event, Topic, normalise_url

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
STASH_SECONDS = 3600

BOOLEAN_TRUE = {"1", "yes", "y", "true", "x", "oui", "ja", "si", "sí", "tak", "da"}

# Column (= event form field), and its explanation for the template's help sheet.
COLUMNS = [
    ("title", gettext_lazy("Required. The event's name.")),
    ("summary", gettext_lazy("Required. One or two sentences shown in lists.")),
    ("description", gettext_lazy("Optional. Longer text; paragraphs, bold, italic, lists and links are kept.")),
    ("language", gettext_lazy("Required. Language code of the event, for example en, fr, de.")),
    ("topics", gettext_lazy("Optional. Topic slugs separated by ;")),
    ("target_audience", gettext_lazy("Optional. One of the audience codes of the event form; default everyone.")),
    ("format", gettext_lazy("Required. onsite, online or hybrid.")),
    ("online_url", gettext_lazy("The link of an online or hybrid event.")),
    ("venue", gettext_lazy("Optional. Name of the place.")),
    ("address", gettext_lazy("Street address of an on-site or hybrid event.")),
    ("city", gettext_lazy("City of an on-site or hybrid event.")),
    ("postcode", gettext_lazy("Optional. Postcode.")),
    ("start", gettext_lazy("Required. Local time in the event's time zone: YYYY-MM-DD HH:MM.")),
    ("end", gettext_lazy("Required. Local time in the event's time zone: YYYY-MM-DD HH:MM.")),
    ("timezone", gettext_lazy("Required. Time zone name, for example Europe/Paris.")),
    ("step_free_access", gettext_lazy("Optional. yes or no.")),
    ("sign_language", gettext_lazy("Optional. yes or no.")),
    ("captions", gettext_lazy("Optional. yes or no.")),
    ("accessibility_notes", gettext_lazy("Optional. Free text.")),
    ("capacity", gettext_lazy("Optional. Number of places, only with registration on this platform.")),
    ("registration_mode", gettext_lazy("Required. platform, external or none.")),
    ("external_registration_url", gettext_lazy("The registration link when registration is external.")),
    ("registration_opens", gettext_lazy("Optional. YYYY-MM-DD HH:MM in the event's time zone.")),
    ("registration_closes", gettext_lazy("Optional. YYYY-MM-DD HH:MM in the event's time zone.")),
]
COLUMN_NAMES = [name for name, _help in COLUMNS]
BOOLEAN_COLUMNS = {"step_free_access", "sign_language", "captions"}


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message is for the user."""


# Reading ---------------------------------------------------------------------------------------

def _cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _decode(raw):
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("The file's text encoding could not be read. Save it as CSV UTF-8."))


def _csv_rows(raw):
    text = _decode(raw)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _xlsx_rows(raw):
    import zipfile

    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ImportFileError(_("The file could not be read as an Excel (.xlsx) workbook.")) from None
    try:
        sheet = book.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append([_cell(value) for value in row])
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        book.close()


def parse_upload(upload):
    """The rows of an uploaded file: a list of (row number, {column: text}). Row numbers are those
    a spreadsheet shows (the header is row 1). Raises ImportFileError for a file that cannot be
    used at all."""
    name = (upload.name or "").lower()
    if upload.size > MAX_BYTES:
        raise ImportFileError(_("The file is too large (at most %(size)s MB).") % {"size": MAX_BYTES // (1024 * 1024)})
    raw = upload.read()
    if name.endswith(".xlsx") and raw[:2] == b"PK":
        table = _xlsx_rows(raw)
    elif name.endswith(".csv") and b"\x00" not in raw[:4096]:
        table = _csv_rows(raw)
    else:
        raise ImportFileError(_("Upload a CSV (.csv) or Excel (.xlsx) file made from the template."))
    if not table:
        raise ImportFileError(_("The file is empty."))
    header = [(cell or "").strip().lstrip("\ufeff").lower() for cell in table[0]]
    unknown = [name for name in header if name and name not in COLUMN_NAMES]
    if unknown:
        raise ImportFileError(_("Unknown columns: %(columns)s. Use the column names of the template.")
                              % {"columns": ", ".join(unknown)})
    if "title" not in header:
        raise ImportFileError(_("The first row must hold the column names of the template."))
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        if not any((cell or "").strip() for cell in cells):
            continue
        rows.append((number, {name: (cells[i] or "").strip() for i, name in enumerate(header)
                              if name and i < len(cells)}))
        if len(rows) > MAX_ROWS:
            raise ImportFileError(_("The file has more than %(max)s events. Split it into smaller files.")
                                  % {"max": MAX_ROWS})
    if not rows:
        raise ImportFileError(_("The file has no events below its header row."))
    return rows


# Validation ------------------------------------------------------------------------------------

class ImportEventForm(EventForm):
    """The event form, with topics given as slugs (resolved from a map loaded once per file)."""

    def __init__(self, *args, topic_map, **kwargs):
        # EventForm.__init__ only prepares display (labels, the topic choices in the visitor's
        # language, stored times of an existing event): three queries per row saved by skipping
        # it. The validation (fields, clean methods, model and constraint checks) is EventForm's.
        super(EventForm, self).__init__(*args, **kwargs)
        for name in self.IMAGE_FIELDS:  # a row of a file or a feed carries no image
            self.fields.pop(name, None)
        self.topic_map = topic_map
        self.fields["topics"] = forms.CharField(required=False)

    # Event's check constraints that the form's own validation already enforces on every row:
    # end after start (Event.clean) and a capacity that is not negative (the field's minimum).
    # Asking the database to evaluate them again costs two queries per row; the others are asked.
    ENFORCED_BY_CLEAN = {"event_end_after_start", "event_capacity_not_negative"}

    def validate_constraints(self):
        exclude = {field.name for field in Event._meta.fields if field.name not in self.fields}
        for constraint in Event._meta.constraints:
            if constraint.name in self.ENFORCED_BY_CLEAN:
                continue
            try:
                constraint.validate(Event, self.instance, exclude=exclude)
            except forms.ValidationError as error:
                self.add_error(None, error)

    def clean_topics(self):
        slugs = [slug.strip() for slug in (self.cleaned_data.get("topics") or "").split(";") if slug.strip()]
        unknown = [slug for slug in slugs if slug not in self.topic_map]
        if unknown:
            raise forms.ValidationError(_("Unknown topics: %(topics)s.") % {"topics": ", ".join(unknown)})
        return [self.topic_map[slug] for slug in slugs]

    def selected_topics(self):
        return self.cleaned_data.get("topics") or []


@dataclass
class RowResult:
    number: int
    title: str
    errors: list = field(default_factory=list)  # (field, message)
    duplicates: list = field(default_factory=list)  # messages
    form: object = None

    @property
    def ok(self):
        return not self.errors


def _form_data(values):
    data = {}
    for name, value in values.items():
        if name in BOOLEAN_COLUMNS:
            if value.strip().lower() in BOOLEAN_TRUE:
                data[name] = "on"
        else:
            data[name] = value
    data.setdefault("target_audience", "everyone")
    return data


def _topic_map():
    from wagtail.models import Locale

    return {topic.slug: topic for topic in Topic.objects.filter(locale=Locale.get_default())}


def validate(rows, organisation):
    """A RowResult for each row, with the event form's errors and likely duplicates."""
    topic_map = _topic_map()
    results = []
    for number, values in rows:
        instance = Event(organisation=organisation, country=organisation.country)
        form = ImportEventForm(_form_data(values), instance=instance, topic_map=topic_map)
        result = RowResult(number=number, title=values.get("title", ""), form=form)
        if not form.is_valid():
            for name, errors in form.errors.items():
                for message in errors:
                    result.errors.append(("" if name == "__all__" else name, message))
        results.append(result)
    _flag_duplicates([result for result in results if result.ok], organisation)
    return results


def _day_key(start, zone):
    return timezone.localtime(start, zone).date()


def _flag_duplicates(results, organisation):
    """The duplicate checks of coordinators.selectors.possible_duplicates (same normalised link,
    same normalised title on the same day), for a whole file in two queries: against the events
    an organiser can see (published ones and their organisation's own), and within the file."""
    from coordinators.selectors import _normalised_title

    if not results:
        return
    keys = []
    for result in results:
        data = result.form.cleaned_data
        tz = zoneinfo.ZoneInfo(data["timezone"])
        url = normalise_url(data.get("online_url") or data.get("external_registration_url") or "")
        keys.append((result, url, (_day_key(data["start"], tz), _normalised_title(data["title"]))))
    visible = Event.objects.exclude(status=Event.Status.REJECTED).filter(
        Q(status=Event.Status.PUBLISHED) | Q(organisation=organisation)
    )
    urls = {url for _r, url, _k in keys if url}
    by_url = {}
    if urls:
        for title, url in visible.filter(normalised_url__in=urls).values_list("title", "normalised_url"):
            by_url.setdefault(url, title)
    starts = [result.form.cleaned_data["start"] for result, _u, _k in keys]
    by_title = {}
    for title, start, zone in visible.filter(
        start__gte=min(starts) - timedelta(days=1), start__lt=max(starts) + timedelta(days=1)
    ).values_list("title", "start", "timezone"):
        try:
            tz = zoneinfo.ZoneInfo(zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue
        by_title.setdefault((_day_key(start, tz), _normalised_title(title)), title)
    seen = {}
    for result, url, key in keys:
        if url and url in by_url:
            result.duplicates.append(_("Same link as “%(title)s”.") % {"title": by_url[url]})
        if key in by_title:
            result.duplicates.append(_("Same title on the same day as “%(title)s”.") % {"title": by_title[key]})
        if key in seen:
            result.duplicates.append(_("Same title on the same day as row %(row)s.") % {"row": seen[key]})
        else:
            seen[key] = result.number


# Keeping the rows between preview and confirmation -------------------------------------------

def stash(*, user, organisation, rows):
    """Keeps the parsed rows server-side (the shared cache) under a random token."""
    token = secrets.token_urlsafe(24)
    cache.set(f"eyos:import:{token}", {"user": user.pk, "organisation": organisation.pk, "rows": rows},
              timeout=STASH_SECONDS)
    return token


def stashed(*, user, token):
    entry = cache.get(f"eyos:import:{token}") if token else None
    if not entry or entry["user"] != user.pk:
        return None
    return entry


def forget(token):
    cache.delete(f"eyos:import:{token}")


# Import ------------------------------------------------------------------------------------------

@transaction.atomic
def import_rows(*, user, organisation, results):
    """Creates the events of the valid rows, all or none. Organisers' events are submitted to the
    coordinators (the queue); coordinators' are published at once by event_create."""
    from coordinators import permissions

    from . import services

    created = []
    for result in results:
        if not result.ok:
            continue
        form = result.form
        event = services.event_create(user=user, organisation=organisation, data=form.service_data(),
                                      topics=form.selected_topics())
        if event.status == Event.Status.DRAFT and permissions.is_member(user, organisation):
            # One summary email to the coordinators for the whole file, not one per event; the
            # importer reads the result page, so no "published" email per event either.
            event = services.event_submit(user=user, event=event, notify=False)
        created.append(event)
    services.events_submitted_notify(created)
    return created
