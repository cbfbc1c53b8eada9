"""CMS pages in other languages (wagtail-localize), under EYOS's rules:

- Coordinators submit their own countries' pages for translation, and only those: the country
  groups hold wagtail-localize's submit_translation permission (coordinators.permissions
  .sync_country_page_permissions), and this view, registered in front of wagtail-localize's own
  at the same admin URL, asks coordinators.permissions.can_translate_page for the page.
- Translating a page never publishes untranslated copies: a new translation starts as a draft
  (WAGTAILLOCALIZE_SYNC_LIVE_STATUS_ON_TRANSLATE = False), and a page is offered for translation
  only into the languages its parent page really exists in. wagtail-localize would otherwise
  create the missing parents as live aliases of the source language's pages (English text under
  /mt/); they cannot simply be kept unpublished, because Wagtail routes /mt/… through the live
  Maltese home page only (Page.localized), so the translation would not be reachable. Parents are
  translated first (the EU team translates the home and index pages)."""

from django.core.exceptions import PermissionDenied
from wagtail.models import Locale, Page
from wagtail_localize.views.submit_translations import SubmitPageTranslationView

from coordinators import permissions


def parent_locales(page):
    """The locales the page's parent really exists in (live, not an alias); any for a top page."""
    parent = page.get_parent()
    if parent is None or parent.is_root():
        return Locale.objects.all()
    real = parent.get_translations(inclusive=True).live().filter(alias_of__isnull=True)
    return Locale.objects.filter(pk__in=real.values("locale_id"))


class CountrySubmitPageTranslationView(SubmitPageTranslationView):
    def dispatch(self, request, *args, **kwargs):
        page = Page.objects.filter(pk=kwargs.get("page_id")).first()
        if page is not None and not permissions.can_translate_page(request.user, page):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form(self):
        form = super().get_form()
        field = form.fields["locales"]
        field.queryset = field.queryset.filter(pk__in=parent_locales(self.object).values("pk"))
        return form
