from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils import translation

register = template.Library()


@register.simple_tag(takes_context=True)
def embed_url(context, filters):
    """The embeddable list's address for these filters, in the page's language."""
    params = filters.as_params() + [("lang", translation.get_language())]
    return context["request"].build_absolute_uri(reverse("opendata:embed_events") + "?" + urlencode(params))
