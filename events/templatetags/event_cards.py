from django import template

from events.cards import cards_html

register = template.Library()


@register.simple_tag(takes_context=True)
def event_cards(context, events):
    """The cards of `events` (events.cards): the list's (with the distance when it has `near` and
    "Show in …" when machine translation is on) and the campaign pages' blocks'."""
    filters = context.get("filters")
    return cards_html(events, near=bool(getattr(filters, "near", None)),
                      machine_translation=bool(context.get("machine_translation")))
