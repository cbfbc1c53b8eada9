"""Readers ask for an event in their language; organisers enter their own translations;
eTranslation calls back with its answers. Thin: one service or selector each."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from coordinators import permissions
from events import ratelimit, selectors as event_selectors
from events.models import Event
from events.views.common import rate_limited, too_many_requests

from . import selectors, services
from .forms import EventTranslationForm
from .models import EventTranslation, MachineTranslation


def event_page_in(event, language):
    return reverse("events:detail", kwargs={"uid": event.uid}) + f"?lang={language}"


@require_POST
def machine_translate(request, uid):
    """The "show in <language>" button of the event page: a POST, so crawlers and link
    prefetchers never spend the translation service's quota; limited per visitor."""
    try:
        event = event_selectors.event_detail(uid)
    except Event.DoesNotExist:
        raise Http404
    language = request.POST.get("lang", "")
    if language not in dict(settings.LANGUAGES):
        return HttpResponseBadRequest("Unknown language")
    limit, window = settings.EYOS_MT_RATE
    if not ratelimit.hit("machine-translation", ratelimit.client_ip(request), limit=limit, window=window):
        return too_many_requests(request)
    try:
        row = services.machine_translation_request(event=event, language=language)
    except services.MachineTranslationUnavailable as error:
        messages.error(request, str(error))
    else:
        if row.status == MachineTranslation.Status.PENDING:
            messages.info(request, _("The translation is on its way. Reload this page in a minute."))
    return redirect(event_page_in(event, language))


def _callback(request, *, error):
    if request.method != "POST":
        return HttpResponse(status=405)
    reference = request.POST.get("external-reference", "")
    if error:
        done = services.machine_translation_callback(
            external_reference=reference,
            error=f"{request.POST.get('error-code', '')} {request.POST.get('error-message', '')}".strip())
    else:
        done = services.machine_translation_callback(external_reference=reference,
                                                     text=request.POST.get("translated-text", ""))
    return HttpResponse("ok", content_type="text/plain") if done else HttpResponseBadRequest("unknown reference")


@csrf_exempt
def etranslation_callback(request):
    """eTranslation's requesterCallback: the reference is signed by us, nothing else is trusted."""
    return _callback(request, error=False)


@csrf_exempt
def etranslation_error_callback(request):
    return _callback(request, error=True)


def _translatable_event(request, uid):
    """Another organisation's or country's event is simply not found."""
    return get_object_or_404(permissions.translatable_events(request.user).select_related("organisation"), uid=uid)


@login_required
@rate_limited
def event_translations(request, uid):
    """The organiser's translations of one event, and a form to add one."""
    event = _translatable_event(request, uid)
    form = EventTranslationForm(request.POST or None, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_translation_save(user=request.user, event=event, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The translation is saved."))
            return redirect("event_translations", uid=event.uid)
    return render(request, "contenttranslation/event_translations.html", {
        "event": event, "translations": selectors.event_translations(event), "form": form,
    })


@login_required
@rate_limited
def event_translation_edit(request, uid, language):
    event = _translatable_event(request, uid)
    translation = get_object_or_404(EventTranslation, event=event, language=language)
    form = EventTranslationForm(request.POST or None, instance=translation, event=event)
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "language": translation.language}
        services.event_translation_save(user=request.user, event=event, **data)
        messages.success(request, _("The translation is saved."))
        return redirect("event_translations", uid=event.uid)
    return render(request, "contenttranslation/event_translation_form.html", {
        "event": event, "translation": translation, "form": form,
    })


@login_required
@rate_limited
@require_POST
def event_translation_delete(request, uid, language):
    event = _translatable_event(request, uid)
    translation = get_object_or_404(EventTranslation, event=event, language=language)
    services.event_translation_delete(user=request.user, translation=translation)
    messages.success(request, _("The translation is deleted."))
    return redirect("event_translations", uid=event.uid)
