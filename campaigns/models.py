"""Campaign pages: the CMS side of EYOS. Events are plain Django models (events app); pages
show them through the events selectors."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from events import pagecache  # noqa: F401  (also connects the page cache's invalidation signals in every process)

from .blocks import CampaignStreamBlock


class BasePage(Page):
    """Fields every campaign page shares: a short intro and a body of blocks."""

    intro = models.TextField(_("introduction"), blank=True, max_length=600)
    body = StreamField(CampaignStreamBlock(), blank=True, use_json_field=True, verbose_name=_("body"))

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]

    class Meta:
        abstract = True


class HomePage(BasePage):
    """The root of each language's tree; one per locale."""

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["campaigns.CampaignIndexPage", "campaigns.CampaignPage", "campaigns.PrivacyPage"]
    template = "campaigns/home_page.html"

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # The privacy notice is in the footer (with the site's legal links), not among the sections.
        context["sections"] = (
            self.get_children().live().public().in_menu().not_type(PrivacyPage).specific().order_by("path")
        )
        from events.countries import participating_countries

        from .year import year_status

        context["year_status"] = year_status()
        context["search_countries"] = participating_countries()
        return context


class CampaignIndexPage(BasePage):
    """A section that lists its campaign or national pages."""

    parent_page_types = ["campaigns.HomePage"]
    subpage_types = ["campaigns.CampaignPage", "campaigns.NationalPage"]
    template = "campaigns/campaign_index_page.html"

    class Meta:
        verbose_name = _("campaign index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["children"] = self.get_children().live().public().specific().order_by("title")
        return context


class CampaignPage(BasePage):
    parent_page_types = ["campaigns.HomePage", "campaigns.CampaignIndexPage"]
    subpage_types = ["campaigns.CampaignPage"]
    template = "campaigns/campaign_page.html"

    class Meta:
        verbose_name = _("campaign page")


class PrivacyPage(BasePage):
    """The privacy notice: one per language, edited and translated in the CMS like any page. The
    footer and the registration consent link to it."""

    parent_page_types = ["campaigns.HomePage"]
    subpage_types = []
    max_count_per_parent = 1
    template = "campaigns/campaign_page.html"

    class Meta:
        verbose_name = _("privacy notice")


class NationalPage(BasePage):
    """One per participating country and language: the national coordinators' space."""

    country = CountryField(
        _("country"), db_index=True, help_text=_("A participating country of the Year.")
    )

    parent_page_types = ["campaigns.CampaignIndexPage"]
    subpage_types = ["campaigns.CampaignPage"]
    template = "campaigns/national_page.html"
    content_panels = BasePage.content_panels[:1] + [FieldPanel("country")] + BasePage.content_panels[1:]

    class Meta:
        verbose_name = _("national page")

    def serve(self, request, *args, **kwargs):
        from events import maps

        return maps.allow_map(super().serve(request, *args, **kwargs))

    def get_context(self, request, *args, **kwargs):
        from events import maps

        context = super().get_context(request, *args, **kwargs)
        if maps.map_enabled() and self.country:
            # The country's events on its map, from the same API and filters as the event list.
            context["country_map"] = maps.map_attributes(
                kind="list", id="country-map", skip_to="country-events", bbox=maps.country_bbox(self.country.code),
                query=f"country={self.country.code}", title=_("Map of the events in %(country)s") % {
                    "country": self.country.name},
            )
        return context

    def clean(self):
        super().clean()
        if self.country and self.country not in settings.EYOS_COUNTRIES:
            raise ValidationError({"country": _("This country does not take part in the Year.")})
        clash = NationalPage.objects.filter(country=self.country, locale_id=self.locale_id)
        if self.pk:
            clash = clash.exclude(pk=self.pk)
        if self.country and self.locale_id and clash.exists():
            raise ValidationError(
                {"country": _("This language already has a national page for this country.")}
            )
