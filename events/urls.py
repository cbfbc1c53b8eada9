from django.urls import path

from .views import imports as import_views
from .views import organise as views
from .views import public as public_views

app_name = "organise"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<slug:org_slug>/", views.organisation_detail, name="organisation"),
    path("organisations/<slug:org_slug>/renew-invitation/", views.organisation_renew_invite, name="organisation_renew_invite"),
    path("invitation/<slug:org_slug>/", views.organisation_join, name="join_page"),
    path("join/<str:token>/", views.organisation_join_link, name="join"),
    path("import/", import_views.upload, name="import"),
    path("import/confirm/", import_views.confirm, name="import_confirm"),
    path("import/template.csv", import_views.template_csv, name="import_template_csv"),
    path("import/template.xlsx", import_views.template_xlsx, name="import_template_xlsx"),
    path("events/new/", views.event_create, name="event_create"),
    path("events/<uuid:uid>/", views.event_detail, name="event"),
    path("events/<uuid:uid>/preview/", public_views.event_preview, name="event_preview"),
    path("events/<uuid:uid>/edit/", views.event_edit, name="event_edit"),
    path("events/<uuid:uid>/submit/", views.event_submit, name="event_submit"),
    path("events/<uuid:uid>/cancel/", views.event_cancel, name="event_cancel"),
    path("events/<uuid:uid>/registrants/", views.event_registrants, name="event_registrants"),
    path("events/<uuid:uid>/registrants.csv", views.event_registrants_csv, name="event_registrants_csv"),
]
