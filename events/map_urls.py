from django.urls import path

from .views import map_api

app_name = "map"

urlpatterns = [
    path("events", map_api.map_events, name="events"),
]
