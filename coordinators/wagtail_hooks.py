from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.ui.components import Component

from . import permissions, selectors, urls


@hooks.register("register_admin_urls")
def register_coordinator_urls():
    return [path("coordinators/", include((urls, "coordinators"), namespace="coordinators"))]


class CoordinatorMenuItem(MenuItem):
    def is_shown(self, request):
        return permissions.is_coordinator(request.user)


# One group in Wagtail's menu for the coordinators' screens; other apps add theirs with the hook
# "register_coordination_menu_item" (outcomes does). Shown when one of its items is.
COORDINATION_MENU_HOOK = "register_coordination_menu_item"


@hooks.register("register_admin_menu_item")
def register_coordination_menu():
    return SubmenuMenuItem(_("Coordination"), Menu(register_hook_name=COORDINATION_MENU_HOOK),
                           name="coordination", icon_name="group", order=150)


@hooks.register(COORDINATION_MENU_HOOK)
def register_queue_menu_item():
    return CoordinatorMenuItem(
        _("Events to review"), reverse("coordinators:queue"), name="event-moderation", icon_name="tasks", order=150
    )


@hooks.register(COORDINATION_MENU_HOOK)
def register_events_menu_item():
    return CoordinatorMenuItem(
        _("Events of my countries"), reverse("coordinators:events"), name="country-events", icon_name="date", order=151
    )


@hooks.register(COORDINATION_MENU_HOOK)
def register_import_menu_item():
    # One implementation for organisers and coordinators: the import pages on the public site
    # (events/views/imports.py), where coordinators pick an organisation of their countries.
    return CoordinatorMenuItem(
        _("Import events"), reverse("organise:import"), name="event-import", icon_name="upload", order=151
    )


@hooks.register(COORDINATION_MENU_HOOK)
def register_dashboard_menu_item():
    return CoordinatorMenuItem(
        _("Dashboards"), reverse("coordinators:dashboard_index"), name="country-dashboards", icon_name="table",
        order=152,
    )


@hooks.register(COORDINATION_MENU_HOOK)
def register_coverage_menu_item():
    return CoordinatorMenuItem(
        _("Translations of pages"), reverse("coordinators:coverage"), name="page-coverage", icon_name="globe",
        order=153,
    )


class ModerationPanel(Component):
    name = "eyos_moderation"
    order = 50
    template_name = "coordinators/home_panel.html"

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context=None):
        return {
            "summary": selectors.queue_summary(self.user),
            "is_eu_team": permissions.is_eu_team(self.user),
            "queue_url": reverse("coordinators:queue"),
            "countries": [] if permissions.is_eu_team(self.user) else selectors.country_key_figures(self.user),
            "eu_dashboard_url": reverse("coordinators:dashboard_eu"),
        }


@hooks.register("construct_homepage_panels")
def add_moderation_panel(request, panels):
    if permissions.is_coordinator(request.user):
        panels.append(ModerationPanel(request.user))


@hooks.register(COORDINATION_MENU_HOOK)
def register_feeds_menu_item():
    return CoordinatorMenuItem(
        _("Partner feeds"), reverse("coordinators:feeds"), name="partner-feeds", icon_name="link", order=152
    )
