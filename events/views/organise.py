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
from ..forms import OrganisationForm, OrganiserCancelForm, OrganiserEventForm
from ..models import Organisation
from .common import own_event, rate_limited
from .editing import EventCancelView, EventFormView


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


class OrganiserEventFormView(EventFormView):
    """An organiser's draft: created for one of their organisations, edited while it is a draft or
    sent back for changes."""

    form_class = OrganiserEventForm

    def get_event(self, uid):
        return own_event(self.request, uid)

    def refuse(self, event):
        if event is None and not permissions.member_organisations(self.request.user).exists():
            messages.info(self.request, _("Create or join an organisation first."))
            return redirect("organise:dashboard")
        if event is not None and not services.organiser_may_edit(event):
            messages.error(self.request, _("This event can no longer be edited."))
            return redirect(self.done_url(event))
        return None

    def form_kwargs(self, event):
        if event is not None:
            return {"organisations": Organisation.objects.none()}
        return {"organisations": permissions.member_organisations(self.request.user).order_by("name")}

    def success_message(self, event, created):
        if created:
            return _("Your event is saved as a draft. Submit it when it is ready.")
        return super().success_message(event, created)

    def done_url(self, event):
        return reverse("organise:event", kwargs={"uid": event.uid})

    def render_form(self, form, event):
        return render(self.request, "events/organise/event_form.html", {"form": form, "event": event})


class OrganiserEventCancelView(EventCancelView):
    form_class = OrganiserCancelForm

    def get_event(self, uid):
        return own_event(self.request, uid)

    def done_url(self, event):
        return reverse("organise:event", kwargs={"uid": event.uid})

    def render_form(self, form, event):
        return render(self.request, "events/organise/event_cancel.html", {"event": event, "form": form})


event_create = event_edit = maps.shows_map()(login_required(rate_limited(OrganiserEventFormView.as_view())))
event_cancel = login_required(rate_limited(OrganiserEventCancelView.as_view()))


@login_required
def event_detail(request, uid):
    event = own_event(request, uid)
    return render(request, "events/organise/event.html", {
        "event": event,
        "can_edit": services.organiser_may_edit(event),
        "can_submit": services.allows(event, "submit"),
        "can_cancel": services.allows(event, "cancel"),
    })


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
