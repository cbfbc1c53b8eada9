"""Organisers' copies, series and announcements. Thin: parse, one service call, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from events import services as event_services
from events.forms import show_service_errors
from events.views.common import own_event, rate_limited

from . import selectors, services
from .forms import EXTRA_LANGUAGES, AnnouncementForm, CopyForm, SeriesForm


@login_required
@rate_limited
def event_copy(request, uid):
    event = own_event(request, uid)
    form = CopyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            copy = services.event_copy(user=request.user, event=event, day=form.cleaned_data["day"])
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, _("The copy is saved as a draft. Check its dates before you submit it."))
            return redirect("organise:event", uid=copy.uid)
    return render(request, "series/copy.html", {"event": event, "form": form})


@login_required
@rate_limited
def series_create(request, uid):
    event = own_event(request, uid)
    series = selectors.series_of(event)
    if series:
        occurrences = list(selectors.occurrences(series))
        return render(request, "series/series.html", {
            "event": event, "series": series, "occurrences": occurrences,
            "can_submit": any(event_services.allows(occurrence, "submit") for occurrence in occurrences),
        })
    form = SeriesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        rule = dict(form.fields["frequency"].choices)[data["frequency"]]
        try:
            series = services.series_create(
                user=request.user, event=event, frequency=data["frequency"], count=data.get("count"),
                dates=data.get("days", ()), rule=str(rule),
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, _("The series is created. Its new occurrences are drafts."))
            return redirect("series:create", uid=event.uid)
    return render(request, "series/series_form.html", {"event": event, "form": form})


@login_required
@rate_limited
@require_POST
def series_submit(request, uid):
    event = own_event(request, uid)
    series = selectors.series_of(event)
    if series:
        try:
            services.series_submit(user=request.user, series=series)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The series was sent for review."))
    return redirect("series:create", uid=event.uid)


@login_required
@rate_limited
def announcement_create(request, uid):
    event = own_event(request, uid)
    form = AnnouncementForm(request.POST or None, initial={"language": request.LANGUAGE_CODE})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.announcement_send(
                user=request.user, event=event, language=data["language"], subject=data["subject"],
                body=data["body"], translations=data["translations"], include_waitlist=data["include_waitlist"],
            )
        except services.TooManyAnnouncements as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, _("Your message is being sent to the registrants."))
            return redirect("organise:event", uid=event.uid)
    return render(request, "series/announce.html", {
        "event": event, "form": form, "extra": [
            (n, [form[f"language_{n}"], form[f"subject_{n}"], form[f"body_{n}"]]) for n in range(1, EXTRA_LANGUAGES + 1)
        ],
        "announcements": selectors.recent_announcements(event),
    })
