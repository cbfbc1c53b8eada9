"""Creating, editing and cancelling an event: one flow for the organisers' pages and the
coordinators' admin screens.

The flow is the same on both sides: find the event (a 404 outside the user's reach), refuse what its
status no longer allows, bind the form, call the service, turn the service's refusals into form
errors (ValidationError) or a message (InvalidTransition), and go back to the event with a success
message. What differs — the form and its choices, who may reach the event, the page that shows the
form, the message and the way back — is a method of the subclass."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View

from .. import services
from ..forms import show_service_errors


class EventFormView(View):
    """Create (no `uid` in the URL) or edit (a `uid`) an event through `form_class`."""

    form_class = None

    def get_event(self, uid):
        """The event the user may edit, or Http404."""
        raise NotImplementedError

    def refuse(self, event):
        """A response (after a message) when the user may not use the form now, else None."""
        return None

    def form_kwargs(self, event):
        return {}

    def done_url(self, event):
        """Where the user goes after saving (and after a refusal)."""
        raise NotImplementedError

    def success_message(self, event, created):
        return _("Your changes are saved.")

    def render_form(self, form, event):
        raise NotImplementedError

    def get(self, request, uid=None):
        event = self.get_event(uid) if uid else None
        if (refusal := self.refuse(event)) is not None:
            return refusal
        form = self.form_class(request.POST or None, request.FILES or None, instance=event,
                               **self.form_kwargs(event))
        if request.method == "POST" and form.is_valid():
            try:
                saved = self.save(form, event)
            except ValidationError as error:
                show_service_errors(form, error)
            except services.InvalidTransition as error:
                messages.error(request, str(error))
                return redirect(self.done_url(event))
            else:
                messages.success(request, self.success_message(saved, created=event is None))
                return redirect(self.done_url(saved))
        return self.render_form(form, event)

    post = get  # one flow: an unbound form on GET, a bound one on POST (other methods: 405)

    def save(self, form, event):
        user, data, topics = self.request.user, form.service_data(), form.selected_topics()
        if event is None:
            return services.event_create(user=user, organisation=form.cleaned_data["organisation"],
                                         data=data, topics=topics)
        return services.event_update(user=user, event=event, data=data, topics=topics)


class EventCancelView(View):
    """Cancel an event with a message to everyone concerned (`form_class` has a `message` field)."""

    form_class = None

    def get_event(self, uid):
        raise NotImplementedError

    def done_url(self, event):
        raise NotImplementedError

    def render_form(self, form, event):
        raise NotImplementedError

    def get(self, request, uid):
        event = self.get_event(uid)
        form = self.form_class(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.event_cancel(user=request.user, event=event, message=form.cleaned_data["message"])
            except services.InvalidTransition as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("The event is cancelled. Everyone concerned is told."))
            return redirect(self.done_url(event))
        return self.render_form(form, event)

    post = get
