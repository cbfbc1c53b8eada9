from django.utils.translation import gettext_lazy as _
from wagtail import hooks


@hooks.register("register_log_actions")
def register_outcome_actions(actions):
    for action, label in (
        ("eyos.attendance.mark", _("Marked as attended")),
        ("eyos.attendance.unmark", _("Attendance mark removed")),
        ("eyos.attendance.mark_all", _("All confirmed registrants marked as attended")),
        ("eyos.attendance.walk_in", _("Walk-in added to the attendees")),
        ("eyos.outcome.report", _("Outcome reported")),
        ("eyos.outcome.correct", _("Outcome corrected")),
    ):
        actions.register_action(action, label, label)


@hooks.register("register_admin_urls")
def register_outcome_admin_urls():
    from django.urls import include, path

    from . import admin_views

    urls = [
        path("", admin_views.dashboard, name="dashboard"),
        path("<slug:table>.csv", admin_views.dashboard_csv, name="dashboard_csv"),
    ]
    return [path("outcomes/", include((urls, "outcomes_admin"), namespace="outcomes_admin"))]


@hooks.register("register_coordination_menu_item")  # the coordinators' menu group
def register_outcome_menu_item():
    from django.urls import reverse
    from wagtail.admin.menu import MenuItem

    from coordinators import permissions

    class CoordinatorMenuItem(MenuItem):
        def is_shown(self, request):
            return permissions.is_coordinator(request.user)

    return CoordinatorMenuItem(_("Outcomes of the events"), reverse("outcomes_admin:dashboard"),
                               name="event-outcomes", icon_name="table", order=154)
