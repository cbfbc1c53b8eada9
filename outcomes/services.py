"""Every write about what happened at an event: attendance, walk-ins, outcome reports. Each
function checks permission through coordinators.permissions, writes the Wagtail audit log on the
event, and enqueues mail after commit, as events.services does."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from coordinators import permissions
from eyos.schedules import book_once
from events.models import Event, Registration

from .models import Attendance, OutcomeReport

# Organisers are asked when the event has ended, then reminded up to three times, a week apart.
OUTCOME_REQUESTS = 4
OUTCOME_REQUEST_EVERY = timedelta(days=7)


def _check_in_allowed(user, event):
    if not permissions.can_check_in(user, event):
        raise PermissionDenied
    if event.status != Event.Status.PUBLISHED:
        raise ValidationError(_("Attendance is taken at published events only."))


@transaction.atomic
def attendance_mark(*, user, registration, attended=True):
    """A confirmed registrant was there (or, undone, was not). Marking twice changes nothing."""
    event = registration.event
    _check_in_allowed(user, event)
    if registration.status != Registration.Status.CONFIRMED:
        raise ValidationError(_("Only confirmed registrants can be marked as attended."))
    existing = Attendance.objects.select_for_update().filter(registration=registration).first()
    if attended and existing is None:
        attendance = Attendance.objects.create(event=event, registration=registration,
                                               language=registration.language, marked_by=user)
        log(instance=event, action="eyos.attendance.mark", user=user, data={"registration": registration.pk})
        return attendance
    if not attended and existing is not None:
        existing.delete()
        log(instance=event, action="eyos.attendance.unmark", user=user, data={"registration": registration.pk})
    return existing if attended else None


@transaction.atomic
def attendance_mark_all(*, user, event):
    """Every confirmed registrant attended. Returns how many were newly marked."""
    _check_in_allowed(user, event)
    missing = list(event.registrations.filter(status=Registration.Status.CONFIRMED, attendance__isnull=True)
                   .values_list("pk", "language"))
    Attendance.objects.bulk_create(
        [Attendance(event=event, registration_id=pk, language=language, marked_by=user) for pk, language in missing]
    )
    if missing:
        log(instance=event, action="eyos.attendance.mark_all", user=user, data={"count": len(missing)})
    return len(missing)


@transaction.atomic
def attendance_add_walk_in(*, user, event, name, email, language="en"):
    """Someone who came without registering. The address is optional; with it they get their
    certificate by email like everybody else."""
    _check_in_allowed(user, event)
    name, email = name.strip(), (email or "").strip().lower()
    if not name:
        raise ValidationError({"name": _("Please give a name.")})
    attendance = Attendance.objects.create(event=event, name=name, email=email, walk_in=True,
                                           language=language, marked_by=user)
    log(instance=event, action="eyos.attendance.walk_in", user=user, data={"attendance": attendance.pk})
    return attendance


def attendance_forget(*, registration=None, attendances=None):
    """Anonymisation: the attendance stays (a count, a certificate that still verifies), the
    person goes."""
    now = timezone.now()
    rows = attendances if attendances is not None else Attendance.objects.filter(registration=registration)
    return rows.filter(anonymised_at__isnull=True).update(name="", email="", anonymised_at=now)


def walk_ins_retention(*, days=None, now=None):
    """Walk-ins are guests: anonymised EYOS_RETENTION_DAYS after their event, as guests'
    registrations are (events.services.registrations_retention)."""
    from django.conf import settings

    now = now or timezone.now()
    days = settings.EYOS_RETENTION_DAYS if days is None else days
    return attendance_forget(attendances=Attendance.objects.filter(
        registration__isnull=True, event__end__lt=now - timedelta(days=days)))


@transaction.atomic
def outcome_report_save(*, user, event, data):
    """Report (organisers) or correct (coordinators) an event's outcome, once it has ended.
    Every change is in the audit log with the fields it changed, before and after."""
    if not permissions.can_report_outcome(user, event):
        raise PermissionDenied
    if event.status != Event.Status.PUBLISHED or event.end > timezone.now():
        raise ValidationError(_("An outcome can be reported once the event has taken place."))
    Event.objects.select_for_update().filter(pk=event.pk).first()  # one report per event, even in a race
    report = OutcomeReport.objects.filter(event=event).first()
    created = report is None
    report = report or OutcomeReport(event=event, reported_by=user)
    before = {field: getattr(report, field) for field in OutcomeReport.FIELDS}
    for field in OutcomeReport.FIELDS:
        if field in data:
            setattr(report, field, data[field])
    report.full_clean(exclude=["event", "reported_by"])
    changes = {field: [before[field], getattr(report, field)] for field in OutcomeReport.FIELDS
               if before[field] != getattr(report, field)}
    if not created and not changes:
        return report
    report.save()
    action = "eyos.outcome.report" if created else "eyos.outcome.correct"
    log(instance=event, action=action, user=user, data={"changes": changes})
    return report


def events_awaiting_report(now=None):
    """Published events that ended within the reminder window and have no outcome report."""
    now = now or timezone.now()
    return Event.objects.filter(
        status=Event.Status.PUBLISHED, end__lte=now, end__gt=now - OUTCOME_REQUESTS * OUTCOME_REQUEST_EVERY,
        outcome_report__isnull=True,
    )


def outcome_requests_send(*, now=None):
    """Ask each awaiting event's organisers for its outcome: when it has ended, then every seven
    days, four emails at most; none once it is reported. Each email goes once (send_once key per
    event, round and person), however often this runs."""
    from .tasks import send_outcome_request

    now = now or timezone.now()
    queued = 0
    for event_id, end in events_awaiting_report(now).values_list("pk", "end"):
        round_ = min(OUTCOME_REQUESTS - 1, (now - end) // OUTCOME_REQUEST_EVERY)
        send_outcome_request.enqueue(event_id=event_id, round=round_)
        queued += 1
    return queued


DAILY_TASK = "outcomes.tasks.outcomes_daily"


def schedule_daily(*, now=None):
    """Book the daily run at 09:00 (outcome requests, walk-ins' retention): one waiting run at most
    (eyos.schedules). Without a worker that defers tasks, cron runs `manage.py outcomes_daily`."""
    from .tasks import outcomes_daily

    now = now or timezone.now()
    return book_once(outcomes_daily, (now + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0))



# Certificates go out once the event is over; this long after, the daily run stops looking.
CERTIFICATE_WINDOW = timedelta(days=30)


def certificates_due(now=None):
    """Attendances whose certificate email may go out: event over, address known."""
    now = now or timezone.now()
    return (Attendance.objects.filter(event__end__lte=now, event__end__gt=now - CERTIFICATE_WINDOW,
                                      event__status=Event.Status.PUBLISHED, anonymised_at__isnull=True)
            .exclude(registration__isnull=True, email=""))


def certificates_send(*, now=None):
    from .tasks import send_certificate

    ids = list(certificates_due(now).values_list("pk", flat=True))
    for pk in ids:
        send_certificate.enqueue(attendance_id=pk)
    return len(ids)
