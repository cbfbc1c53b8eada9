from django import template

from coordinators import permissions

from .. import selectors

register = template.Library()


@register.inclusion_tag("outcomes/_awaiting_banner.html", takes_context=True)
def outcome_banner(context):
    """Organisers' pages: the events of their organisations whose outcome is still to report
    (one query)."""
    user = context["request"].user
    events = list(selectors.awaiting_report(permissions.organiser_events(user)).only("uid", "title", "end")
                  .order_by("end")[:10])
    return {"awaiting": events}


@register.simple_tag
def attended_ids(registrations):
    """The ids of these registrations that have a certificate (one query), for "my registrations"."""
    return selectors.attended_registration_ids(registrations)
