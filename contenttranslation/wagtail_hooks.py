from django.utils.translation import gettext_lazy as _
from wagtail import hooks


@hooks.register("register_log_actions")
def register_translation_log_actions(actions):
    actions.register_action("eyos.event.translate", _("Translate event"), _("Event translation saved"))
    actions.register_action("eyos.event.translation_delete", _("Delete event translation"),
                            _("Event translation deleted"))


@hooks.register("register_admin_urls")
def register_country_translation_view():
    """In front of wagtail-localize's own view at the same URL (this app's hooks run first): the
    same page, with the country check."""
    from django.urls import path

    from .pages import CountrySubmitPageTranslationView

    return [path("localize/submit/page/<int:page_id>/", CountrySubmitPageTranslationView.as_view(),
                 name="eyos_submit_page_translation")]
