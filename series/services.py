"""Organisers' tools, written through events.services so that permissions, moderation,
notifications and the audit log stay those of single events."""

import calendar
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from coordinators import permissions
from events import services as event_services
from events.models import Event, Registration
from events.tasks import enqueue_with_transaction

from .models import BODY_MAX, SUBJECT_MAX, Announcement, EventSeries, SeriesOccurrence

MAX_OCCURRENCES = 52
FREQUENCIES = ("daily", "weekly", "monthly", "dates")
SHIFTED_FIELDS = ("start", "end", "registration_opens", "registration_closes")


def _copy_data(event, delta):
    data = {field: getattr(event, field) for field in event_services.EDITABLE_FIELDS}
    for field in SHIFTED_FIELDS:
        if data.get(field):
            data[field] = data[field] + delta
    return data


def _copy(user, event, delta):
    return event_services.event_create(
        user=user, organisation=event.organisation, data=_copy_data(event, delta), topics=list(event.topics.all()),
    )


def shift_to(event, day):
    """The time between `event`'s start and the same local time of day on `day` (a date)."""
    tz = event.tzinfo
    local = event.start.astimezone(tz)
    new_start = datetime.combine(day, local.time().replace(tzinfo=None), tzinfo=tz)
    return new_start - event.start


@transaction.atomic
def event_copy(*, user, event, day=None):
    """A new event with the same content (a draft for organisers). Its dates are the original's,
    or moved to `day` at the same local time."""
    permissions.require(permissions.can_edit(user, event))
    copy = _copy(user, event, shift_to(event, day) if day else timedelta(0))
    log(instance=copy, action="eyos.event.copy", user=user, data={"from": event.pk})
    return copy


def _add_months(day, months):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def occurrence_days(first_day, frequency, count=None, dates=()):
    """The days of the occurrences after the first one."""
    if frequency == "dates":
        days = sorted(set(dates) - {first_day})
    elif frequency == "daily":
        days = [first_day + timedelta(days=n) for n in range(1, count)]
    elif frequency == "weekly":
        days = [first_day + timedelta(weeks=n) for n in range(1, count)]
    elif frequency == "monthly":
        days = [_add_months(first_day, n) for n in range(1, count)]
    else:
        raise ValueError(frequency)
    if len(days) + 1 > MAX_OCCURRENCES:
        raise ValidationError(_("A series has at most %(max)s occurrences.") % {"max": MAX_OCCURRENCES})
    if not days:
        raise ValidationError(_("A series needs at least two occurrences."))
    return days


@transaction.atomic
def series_create(*, user, event, frequency, count=None, dates=(), rule=""):
    """Makes `event` the first occurrence of a new series and adds a copy of it on each other
    day. Each occurrence is its own event (capacity, waiting list, cancellation)."""
    permissions.require(permissions.can_edit(user, event))
    if SeriesOccurrence.objects.filter(event=event).exists():
        raise ValidationError(_("This event is already part of a series."))
    first_day = event.start.astimezone(event.tzinfo).date()
    days = occurrence_days(first_day, frequency, count, dates)
    series = EventSeries.objects.create(organisation=event.organisation, rule=rule[:200] or frequency, created_by=user)
    SeriesOccurrence.objects.create(event=event, series=series)
    for day in days:
        SeriesOccurrence.objects.create(event=_copy(user, event, shift_to(event, day)), series=series)
    log(instance=event, action="eyos.series.create", user=user, data={"series": series.pk, "occurrences": len(days) + 1})
    return series


@transaction.atomic
def series_submit(*, user, series):
    """Sends every draft (or corrected) occurrence to the coordinators, who decide once."""
    submitted = []
    for event in Event.objects.filter(series_link__series=series, status__in=event_services.ALLOWED["submit"]):
        submitted.append(event_services.event_submit(user=user, event=event))
    return submitted


# Announcements -------------------------------------------------------------------------------

def announcement_limit():
    return getattr(settings, "EYOS_ANNOUNCEMENTS_PER_DAY", 3)


def _recipients(event, include_waitlist):
    statuses = [Registration.Status.CONFIRMED]
    if include_waitlist:
        statuses.append(Registration.Status.WAITLISTED)
    return event.registrations.filter(status__in=statuses, anonymised_at__isnull=True)


class TooManyAnnouncements(Exception):
    pass


class SimpleText:
    def __init__(self, subject, body):
        self.subject, self.body = subject, body


@transaction.atomic
def announcement_send(*, user, event, language, subject, body, translations=None, include_waitlist=False):
    """Queues a message to the event's confirmed registrants (and, if asked, its waiting list).
    At most announcement_limit() per event in 24 hours. The audit log records that it was sent,
    to how many people and in which languages; never to whom."""
    from .tasks import send_announcement

    event = Event.objects.select_for_update().select_related("organisation").get(pk=event.pk)
    permissions.require(permissions.can_announce(user, event))
    if event.status != Event.Status.PUBLISHED:
        raise ValidationError(_("Messages can be sent only about a published event."))
    since = timezone.now() - timedelta(days=1)
    if event.announcements.filter(created_at__gte=since).count() >= announcement_limit():
        raise TooManyAnnouncements(
            _("You can send at most %(limit)s messages a day about one event.") % {"limit": announcement_limit()}
        )
    translations = {
        lang: {"subject": text["subject"].strip(), "body": text["body"].strip()}
        for lang, text in (translations or {}).items() if lang != language
    }
    announcement = Announcement(
        event=event, language=language, subject=subject.strip(), body=body.strip(),
        translations=translations, include_waitlist=include_waitlist, created_by=user,
    )
    announcement.full_clean()
    for text in (announcement, *(SimpleText(**t) for t in translations.values())):
        if not (text.subject and text.body) or len(text.subject) > SUBJECT_MAX or len(text.body) > BODY_MAX:
            raise ValidationError(
                _("Each message needs a subject (at most %(subject)s characters) and a text (at most %(body)s).")
                % {"subject": SUBJECT_MAX, "body": BODY_MAX}
            )
    announcement.save()
    count = _recipients(event, include_waitlist).count()
    log(instance=event, action="eyos.event.announce", user=user, data={
        "announcement": announcement.pk, "recipients": count,
        "languages": sorted({language, *translations}), "waiting_list": include_waitlist,
    })
    enqueue_with_transaction(send_announcement, announcement_id=announcement.pk)
    return announcement
