"""StreamField blocks for campaign pages. Every string a visitor sees comes from the editor or is
wrapped for translation."""

from urllib.parse import urlencode

from django.conf import settings
from django.db import DatabaseError
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul", "h3", "h4"]


def participating_country_choices():
    return [("", _("All countries"))] + [
        (code, countries.name(code)) for code in settings.EYOS_COUNTRIES
    ]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Text"), max_length=200)
    level = blocks.ChoiceBlock(
        label=_("Level"), choices=[("h2", _("Heading 2")), ("h3", _("Heading 3"))], default="h2"
    )

    class Meta:
        icon = "title"
        label = _("Heading")
        template = "campaigns/blocks/heading.html"


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    alt_text = blocks.CharBlock(
        label=_("Alternative text"),
        max_length=250,
        help_text=_("Describe the image for people who cannot see it."),
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=250)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "campaigns/blocks/image.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Quote"))
    attribution = blocks.CharBlock(label=_("Attribution"), required=False, max_length=200)

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "campaigns/blocks/quote.html"


class CallToActionBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), max_length=200)
    text = blocks.TextBlock(label=_("Text"), required=False)
    link_text = blocks.CharBlock(label=_("Link text"), max_length=100)
    link_url = blocks.CharBlock(
        label=_("Link"),
        max_length=500,
        help_text=_("A full URL, or a path on this site such as /events/."),
    )

    class Meta:
        icon = "link"
        label = _("Call to action")
        template = "campaigns/blocks/call_to_action.html"


class ObjectiveBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), max_length=200)
    text = blocks.TextBlock(label=_("Text"))


class ObjectivesBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), max_length=200)
    items = blocks.ListBlock(ObjectiveBlock(), label=_("Objectives"), min_num=1)

    class Meta:
        icon = "list-ol"
        label = _("Objectives of the Year")
        template = "campaigns/blocks/objectives.html"


def topic_choices():
    from wagtail.models import Locale

    from events.models import Topic

    try:
        return [(t.slug, t.name) for t in Topic.objects.filter(locale=Locale.get_default()).order_by("name")]
    except DatabaseError:  # during the first migration, before the tables exist
        return []


class UpcomingEventsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), max_length=200)
    country = blocks.ChoiceBlock(
        label=_("Country"), choices=participating_country_choices, required=False
    )
    topic = blocks.ChoiceBlock(label=_("Topic"), choices=topic_choices, required=False)
    limit = blocks.IntegerBlock(label=_("Number of events"), min_value=1, max_value=12, default=3)

    class Meta:
        icon = "date"
        label = _("Upcoming events")
        template = "campaigns/blocks/upcoming_events.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        page = (parent_context or {}).get("page")
        # On a national page the block shows that country's events unless told otherwise.
        country = value.get("country") or getattr(getattr(page, "specific", page), "country", None) or None
        country = getattr(country, "code", country)
        context["events"] = upcoming_events_for_block(value, country=country)
        params = [("country", country)] if country else []
        if value.get("topic"):
            params.append(("topic", value["topic"]))
        context["list_query"] = urlencode(params)
        return context


def upcoming_events_for_block(value, country=None):
    from events import selectors

    return selectors.with_images(selectors.upcoming_events(
        country=country if country is not None else (value.get("country") or None),
        topic=value.get("topic") or None, limit=value["limit"] or 3,
    ))


class CampaignStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        features=RICH_TEXT_FEATURES, label=_("Rich text"), template="campaigns/blocks/paragraph.html"
    )
    image = ImageBlock()
    quote = QuoteBlock()
    call_to_action = CallToActionBlock()
    objectives = ObjectivesBlock()
    upcoming_events = UpcomingEventsBlock()
