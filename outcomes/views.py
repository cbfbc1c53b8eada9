"""Thin views: check-in and the printable attendee list, outcome reports, certificates and their
public verification. Every event is looked up through coordinators.permissions, so another
organisation's or country's event is simply not found."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coordinators import permissions
from events.models import Registration
from events.views.common import rate_limited

from . import certificates, selectors, services
from .forms import OutcomeReportForm, WalkInForm
from .models import OutcomeReport


def _check_in_event(request, uid):
    return get_object_or_404(permissions.registrant_events(request.user).select_related("organisation"), uid=uid)


def _errors(request, error):
    messages.error(request, " ".join(error.messages))


@login_required
def check_in(request, uid):
    event = _check_in_event(request, uid)
    registrants, walk_ins = selectors.check_in_list(event)
    return render(request, "outcomes/check_in.html", {
        "event": event, "registrants": registrants, "walk_ins": walk_ins,
        "attended": sum(1 for r in registrants if hasattr(r, "attendance")) + len(walk_ins),
        "walk_in_form": WalkInForm(initial={"language": get_language()}),
        "can_check_in": permissions.can_check_in(request.user, event),
    })


@login_required
@rate_limited
@require_POST
def check_in_mark(request, uid, registration_pk):
    event = _check_in_event(request, uid)
    registration = get_object_or_404(Registration.objects.select_related("event"), pk=registration_pk, event=event)
    try:
        services.attendance_mark(user=request.user, registration=registration,
                                 attended=request.POST.get("attended") != "0")
    except ValidationError as error:
        _errors(request, error)
    except PermissionDenied:
        raise Http404 from None
    return redirect(reverse("outcomes:check_in", kwargs={"uid": event.uid}) + f"#r{registration.pk}")


@login_required
@rate_limited
@require_POST
def check_in_all(request, uid):
    event = _check_in_event(request, uid)
    try:
        count = services.attendance_mark_all(user=request.user, event=event)
    except ValidationError as error:
        _errors(request, error)
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _("Newly marked as attended: %(count)d") % {"count": count})
    return redirect("outcomes:check_in", uid=event.uid)


@login_required
@rate_limited
@require_POST
def check_in_walk_in(request, uid):
    event = _check_in_event(request, uid)
    form = WalkInForm(request.POST)
    if form.is_valid():
        try:
            services.attendance_add_walk_in(user=request.user, event=event, **form.cleaned_data)
        except ValidationError as error:
            _errors(request, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("%(name)s is on the attendee list.") % {"name": form.cleaned_data["name"]})
    else:
        messages.error(request, _("Please give a name and, if you like, a valid address."))
    return redirect("outcomes:check_in", uid=event.uid)


@login_required
def attendee_list(request, uid):
    event = _check_in_event(request, uid)
    return render(request, "outcomes/attendee_list.html", {"event": event, "attendees": selectors.attendees(event)})


@login_required
@rate_limited
def outcome_report(request, uid):
    event = get_object_or_404(permissions.outcome_events(request.user).select_related("organisation"), uid=uid)
    report = OutcomeReport.objects.filter(event=event).first()
    form = OutcomeReportForm(request.POST or None, instance=report)
    if request.method == "POST" and form.is_valid():
        try:
            services.outcome_report_save(user=request.user, event=event, data=form.service_data())
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, _("Thank you: the outcome of this event is reported."))
            return redirect("outcomes:report", uid=event.uid)
    return render(request, "outcomes/report.html", {"event": event, "form": form, "report": report})


# Certificates --------------------------------------------------------------------------------


def _pdf_response(attendance, language):
    response = HttpResponse(certificates.pdf(attendance, language), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{attendance.code}.pdf"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def certificate_pdf(request, code):
    """From the email: the signed link is the key; the person need not be signed in."""
    attendance = selectors.attendance_for_code(code)
    if attendance is None or not certificates.pdf_token_valid(attendance.code, request.GET.get("token")):
        raise Http404
    return _pdf_response(attendance, attendance.language)


@login_required
def my_certificate(request, registration_pk):
    registration = get_object_or_404(permissions.own_registrations(request.user), pk=registration_pk)
    attendance = selectors.attendance_for_registration(registration)
    if attendance is None:
        raise Http404
    return _pdf_response(attendance, get_language())


def verify(request, code):
    """Public: is this certificate genuine? Event, organiser, date and the holder's name while it
    is held; never the address."""
    attendance = selectors.attendance_for_code(code)
    if attendance is None or attendance.event.status != "published":
        # A 200 with the answer: LocaleMiddleware would turn a 404 on this language-free path into
        # a redirect to /<lang>/c/<code>/ (Wagtail's catch-all), which tells the reader nothing.
        return render(request, "outcomes/verify.html", {"code": code})
    return render(request, "outcomes/verify.html", {
        "code": code, "attendance": attendance, "facts": certificates.facts(attendance),
        "credential_url": certificates.verify_url(attendance) + ".jsonld",
    })


def credential(request, code):
    attendance = selectors.attendance_for_code(code)
    if attendance is None or attendance.event.status != "published":
        raise Http404
    signed = certificates.sign(certificates.credential(attendance), created=attendance.created_at)
    return HttpResponse(json.dumps(signed, ensure_ascii=False, indent=2), content_type="application/ld+json")


def issuer(request):
    return JsonResponse(certificates.issuer_profile(), content_type="application/ld+json")
