from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet

from .models import Organisation, Topic


@hooks.register("register_log_actions")
def register_event_log_actions(actions):
    actions.register_action("eyos.event.submit", _("Submit event"), _("Event submitted for review"))
    actions.register_action("eyos.event.publish", _("Publish event"), _("Event published"))
    actions.register_action("eyos.event.approve", _("Approve event"), _("Event approved"))
    actions.register_action(
        "eyos.event.request_changes", _("Request changes"), _("Changes requested from the organiser")
    )
    actions.register_action("eyos.event.reject", _("Reject event"), _("Event rejected"))
    actions.register_action("eyos.event.cancel", _("Cancel event"), _("Event cancelled"))
    actions.register_action("eyos.event.spot_check", _("Spot check"), _("Event published directly was checked"))
    actions.register_action(
        "eyos.event.block_submitter", _("Block submitter"), _("Submitting account deactivated as a spammer")
    )
    for status, label, message in (
        ("pending", _("Registration received"), _("A guest registered and must confirm their email address")),
        ("confirmed", _("Registration confirmed"), _("A registration was confirmed")),
        ("waitlisted", _("Waiting list"), _("A registration joined the waiting list")),
        ("promoted", _("Promoted from the waiting list"), _("A place went to the next person on the waiting list")),
        ("cancelled", _("Registration cancelled"), _("A registration was cancelled")),
    ):
        actions.register_action(f"eyos.registration.{status}", label, message)
    actions.register_action("eyos.organisation.join", _("Join organisation"), _("Joined the organisation"))
    actions.register_action(
        "eyos.organisation.renew_invite", _("Renew invitation link"), _("Invitation links renewed")
    )


# Topics are translated by editors with wagtail-localize; organisations are managed by the EU
# team (coordinators get no snippet permissions: their country scope lives in coordinators/).
register_snippet(Topic)
register_snippet(Organisation)
