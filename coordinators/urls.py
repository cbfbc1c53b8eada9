from django.urls import path

from partnerfeeds import views as feeds

from .views import bulk, dashboards, events, review

app_name = "coordinators"

urlpatterns = [
    path("", review.queue, name="queue"),
    path("events/", events.event_list, name="events"),
    path("events/new/", events.event_create, name="event_create"),
    path("events/<uuid:uid>/", review.review, name="review"),
    path("events/<uuid:uid>/edit/", events.event_edit, name="event_edit"),
    path("events/<uuid:uid>/approve/", review.approve, name="approve"),
    path("events/<uuid:uid>/request-changes/", review.request_changes, name="request_changes"),
    path("events/<uuid:uid>/reject/", review.reject, name="reject"),
    path("events/<uuid:uid>/approve-next/", bulk.approve_next, name="approve_next"),
    path("events/<uuid:uid>/spot-check/", bulk.spot_check, name="spot_check"),
    path("events/<uuid:uid>/reject-and-block/", bulk.reject_and_block, name="reject_and_block"),
    path("bulk/", bulk.bulk, name="bulk"),
    path("events/<uuid:uid>/cancel/", events.event_cancel, name="event_cancel"),
    path("events/<uuid:uid>/registrants.csv", events.event_registrants_csv, name="event_registrants_csv"),
    path("registrations.csv", events.registrations_csv, name="registrations_csv"),
    path("dashboard/", dashboards.dashboard_index, name="dashboard_index"),
    path("dashboard/eu/", dashboards.eu_dashboard, name="dashboard_eu"),
    path("dashboard/eu/countries.csv", dashboards.eu_dashboard_csv, name="dashboard_eu_csv"),
    path("dashboard/<str:country>/", dashboards.country_dashboard, name="dashboard"),
    path("dashboard/<str:country>/<slug:table>.csv", dashboards.dashboard_csv, name="dashboard_csv"),
    path("coverage/", dashboards.coverage, name="coverage"),
    path("feeds/", feeds.feed_list, name="feeds"),
    path("feeds/new/", feeds.feed_create, name="feed_create"),
    path("feeds/<int:feed_id>/", feeds.feed_detail, name="feed"),
    path("feeds/<int:feed_id>/fetch/", feeds.feed_fetch_now, name="feed_fetch"),
    path("feeds/<int:feed_id>/delete/", feeds.feed_delete, name="feed_delete"),
]
