"""Forms of the coordinators' screens (the event forms are events.forms')."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events.models import Event


class BulkForm(forms.Form):
    action = forms.ChoiceField(label=gettext_lazy("Action"), choices=[
        ("approve", gettext_lazy("Approve")),
        ("request_changes", gettext_lazy("Request changes")),
        ("reject", gettext_lazy("Reject")),
    ])
    comment = forms.CharField(label=gettext_lazy("What should the organiser change?"), required=False, max_length=4000)
    reason = forms.ChoiceField(label=gettext_lazy("Reason"), choices=[("", "—")] + Event.RejectionReason.choices,
                               required=False)
    note = forms.CharField(label=gettext_lazy("Note to the organiser"), required=False, max_length=4000)

    def clean(self):
        data = super().clean()
        if data.get("action") == "request_changes" and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Tell the organiser what to change."))
        if data.get("action") == "reject" and not data.get("reason"):
            self.add_error("reason", _("Choose a reason for the rejection."))
        return data
