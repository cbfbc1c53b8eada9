from django.urls import path

from partnerfeeds import views as feeds

from . import moderation, views

app_name = "coordinators"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("events/", views.event_list, name="events"),
    path("events/new/", views.event_create, name="event_create"),
    path("events/<uuid:uid>/", views.review, name="review"),
    path("events/<uuid:uid>/edit/", views.event_edit, name="event_edit"),
    path("events/<uuid:uid>/approve/", views.approve, name="approve"),
    path("events/<uuid:uid>/request-changes/", views.request_changes, name="request_changes"),
    path("events/<uuid:uid>/reject/", views.reject, name="reject"),
    path("events/<uuid:uid>/approve-next/", moderation.approve_next, name="approve_next"),
    path("events/<uuid:uid>/spot-check/", moderation.spot_check, name="spot_check"),
    path("events/<uuid:uid>/reject-and-block/", moderation.reject_and_block, name="reject_and_block"),
    path("bulk/", moderation.bulk, name="bulk"),
    path("events/<uuid:uid>/cancel/", views.event_cancel, name="event_cancel"),
    path("events/<uuid:uid>/registrants.csv", views.event_registrants_csv, name="event_registrants_csv"),
    path("registrations.csv", views.registrations_csv, name="registrations_csv"),
    path("dashboard/", views.dashboard_index, name="dashboard_index"),
    path("dashboard/eu/", views.eu_dashboard, name="dashboard_eu"),
    path("dashboard/eu/countries.csv", views.eu_dashboard_csv, name="dashboard_eu_csv"),
    path("dashboard/<str:country>/", views.country_dashboard, name="dashboard"),
    path("dashboard/<str:country>/<slug:table>.csv", views.dashboard_csv, name="dashboard_csv"),
    path("coverage/", views.coverage, name="coverage"),
    path("feeds/", feeds.feed_list, name="feeds"),
    path("feeds/new/", feeds.feed_create, name="feed_create"),
    path("feeds/<int:feed_id>/", feeds.feed_detail, name="feed"),
    path("feeds/<int:feed_id>/fetch/", feeds.feed_fetch_now, name="feed_fetch"),
    path("feeds/<int:feed_id>/delete/", feeds.feed_delete, name="feed_delete"),
]
