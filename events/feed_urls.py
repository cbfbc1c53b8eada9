from django.urls import path

from .views import feeds

app_name = "feeds"

urlpatterns = [
    path("events.ics", feeds.events_feed, name="events"),
    path("countries/<str:country>.ics", feeds.country_feed, name="country"),
    path("events/<uuid:uid>.ics", feeds.event_ics, name="event"),
    path("me/<str:token>.ics", feeds.personal_feed, name="personal"),
]
