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


UPCOMING_TEMPLATE = "campaigns/blocks/upcoming_events.html"


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
        template = UPCOMING_TEMPLATE

    def render(self, value, context=None):
        """The block's events are drawn into the page after it comes from the page cache (which
        keeps campaign pages under the pages version alone: events.pagecache.hole), else now."""
        from events import pagecache

        page = (context or {}).get("page")
        # On a national page the block shows that country's events unless told otherwise.
        country = value.get("country") or getattr(getattr(page, "specific", page), "country", None) or None
        spec = {"heading": str(value.get("heading") or ""), "country": getattr(country, "code", country) or "",
                "topic": value.get("topic") or "", "limit": value.get("limit") or 3}
        return pagecache.hole("upcoming_events", spec) or render_upcoming_events(spec)


def upcoming_events_for_block(value, country=None):
    from events import selectors

    return selectors.with_images(selectors.upcoming_events(
        country=country if country is not None else (value.get("country") or None),
        topic=value.get("topic") or None, limit=value["limit"] or 3,
    ))


def render_upcoming_events(spec):
    """The "upcoming events" block for `spec` (heading, country code, topic slug, limit), in the
    active language: what the page shows, and what the page cache draws into its copies."""
    from django.template.loader import render_to_string

    params = [("country", spec["country"])] if spec["country"] else []
    if spec["topic"]:
        params.append(("topic", spec["topic"]))
    return render_to_string(UPCOMING_TEMPLATE, {
        "value": {"heading": spec["heading"]},
        "events": upcoming_events_for_block(spec, country=spec["country"] or None),
        "list_query": urlencode(params),
    })


def _register_part():
    from events import pagecache

    # The block's cards show no place counts (upcoming_events sets no places_left): a
    # registration does not draw it again.
    pagecache.hole_drawer("upcoming_events", events_only=True)(render_upcoming_events)


_register_part()


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
