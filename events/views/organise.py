"""Public views of events. Thin: they parse input, call one service or selector, render.

Organisers work here on the public site (signed in, no admin access): organisations, their
events as drafts, submission, corrections and cancellation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coordinators import permissions
from eyos.headers import no_referrer
from eyos.secret_links import stash_secret, stashed_secret

from .. import exports, maps, selectors, services
from ..forms import OrganisationForm, OrganiserCancelForm, OrganiserEventForm, show_service_errors
from ..models import Organisation
from .common import own_event, rate_limited


def _own_organisation(request, org_slug):
    return get_object_or_404(permissions.member_organisations(request.user), slug=org_slug)


@login_required
def dashboard(request):
    return render(request, "events/organise/dashboard.html", {
        "organisations": permissions.member_organisations(request.user).order_by("name"),
        "events": selectors.organiser_event_list(request.user),
    })


@login_required
@rate_limited
def organisation_create(request):
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = services.organisation_create(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your organisation is ready. You can now create events."))
        return redirect("organise:organisation", org_slug=organisation.slug)
    return render(request, "events/organise/organisation_form.html", {"form": form})


@login_required
def organisation_detail(request, org_slug):
    organisation = _own_organisation(request, org_slug)
    token = services.organisation_invite_token(user=request.user, organisation=organisation)
    invite_url = request.build_absolute_uri(reverse("organise:join", kwargs={"token": token}))
    return render(request, "events/organise/organisation.html", {
        "organisation": organisation,
        "members": organisation.members.order_by("email").only("email"),
        "invite_url": invite_url,
        "invite_days": services.INVITE_MAX_AGE // 86400,
    })


@login_required
@rate_limited
@require_POST
def organisation_renew_invite(request, org_slug):
    organisation = _own_organisation(request, org_slug)
    services.organisation_renew_invite(user=request.user, organisation=organisation)
    messages.success(request, _("A new invitation link was made. Earlier links no longer work."))
    return redirect("organise:organisation", org_slug=organisation.slug)


@no_referrer
def organisation_join_link(request, token):
    """The invitation link: checked, kept in the session (per organisation), and on to the page
    without it, which asks the visitor to sign in first if need be; the token never reaches the
    sign-in URL. A POST straight to the link acts, as before."""
    try:
        organisation = services.organisation_from_invite(token)
    except services.InvalidInvitation:
        return render(request, "events/organise/invalid_invitation.html", status=400)
    stash_secret(request, f"invitation-{organisation.slug}", token)
    if request.method == "POST":
        return organisation_join(request, org_slug=organisation.slug)
    return redirect("organise:join_page", org_slug=organisation.slug)


@login_required
def organisation_join(request, org_slug):
    token = stashed_secret(request, f"invitation-{org_slug}")
    try:
        organisation = services.organisation_from_invite(token)
    except services.InvalidInvitation:
        return render(request, "events/organise/invalid_invitation.html", status=400)
    if organisation.slug != org_slug:
        return render(request, "events/organise/invalid_invitation.html", status=400)
    if request.method == "POST":
        services.organisation_join(user=request.user, token=token)
        messages.success(request, _("You are now a member of %(name)s.") % {"name": organisation.name})
        return redirect("organise:dashboard")
    return render(request, "events/organise/join.html", {"organisation": organisation})


@maps.shows_map()
@login_required
@rate_limited
def event_create(request):
    organisations = permissions.member_organisations(request.user).order_by("name")
    if not organisations.exists():
        messages.info(request, _("Create or join an organisation first."))
        return redirect("organise:dashboard")
    form = OrganiserEventForm(request.POST or None, request.FILES or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(
                user=request.user, organisation=form.cleaned_data["organisation"],
                data=form.service_data(), topics=form.selected_topics(),
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, _("Your event is saved as a draft. Submit it when it is ready."))
            return redirect("organise:event", uid=event.uid)
    return render(request, "events/organise/event_form.html", {"form": form})


@login_required
def event_detail(request, uid):
    event = own_event(request, uid)
    return render(request, "events/organise/event.html", {
        "event": event,
        "can_edit": event.status in services.ORGANISER_EDITABLE,
        "can_submit": services.allows(event, "submit"),
        "can_cancel": services.allows(event, "cancel"),
    })


@maps.shows_map()
@login_required
@rate_limited
def event_edit(request, uid):
    event = own_event(request, uid)
    if event.status not in services.ORGANISER_EDITABLE:
        messages.error(request, _("This event can no longer be edited."))
        return redirect("organise:event", uid=event.uid)
    form = OrganiserEventForm(request.POST or None, request.FILES or None, instance=event,
                              organisations=Organisation.objects.none())
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(user=request.user, event=event, data=form.service_data(), topics=form.selected_topics())
        except ValidationError as error:
            show_service_errors(form, error)
        except services.InvalidTransition as error:
            messages.error(request, str(error))
            return redirect("organise:event", uid=event.uid)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("organise:event", uid=event.uid)
    return render(request, "events/organise/event_form.html", {"form": form, "event": event})


@login_required
@rate_limited
@require_POST
def event_submit(request, uid):
    event = own_event(request, uid)
    try:
        services.event_submit(user=request.user, event=event)
    except services.InvalidTransition as error:
        messages.error(request, str(error))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your event was sent to the national coordinators for review."))
    return redirect("organise:event", uid=event.uid)


@login_required
@rate_limited
def event_cancel(request, uid):
    event = own_event(request, uid)
    form = OrganiserCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_cancel(user=request.user, event=event, message=form.cleaned_data["message"])
        except services.InvalidTransition as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The event is cancelled. Everyone concerned is told."))
        return redirect("organise:event", uid=event.uid)
    return render(request, "events/organise/event_cancel.html", {"event": event, "form": form})


def _registrant_event(request, uid):
    return get_object_or_404(permissions.registrant_events(request.user).select_related("organisation"), uid=uid)


@login_required
def event_registrants(request, uid):
    event = _registrant_event(request, uid)
    return render(request, "events/organise/registrants.html", {
        "event": event, "registrants": selectors.registrants(event),
        "places_taken": services.places_taken(event),
    })


@login_required
def event_registrants_csv(request, uid):
    event = _registrant_event(request, uid)
    return exports.registrations_csv(exports.ordered(event.registrations.all()), f"registrants-{event.uid}.csv")
