from django.utils.translation import gettext_lazy as _
from wagtail import hooks


@hooks.register("register_log_actions")
def register_series_actions(actions):
    actions.register_action("eyos.event.copy", _("Copy event"), _("Event copied"))
    actions.register_action("eyos.series.create", _("Create series"), _("Series created"))
    actions.register_action("eyos.event.announce", _("Message registrants"), _("Message sent to registrants"))
