from django.urls import path

from . import views

app_name = "series"

urlpatterns = [
    path("events/<uuid:uid>/copy/", views.event_copy, name="copy"),
    path("events/<uuid:uid>/series/", views.series_create, name="create"),
    path("events/<uuid:uid>/series/submit/", views.series_submit, name="submit"),
    path("events/<uuid:uid>/message/", views.announcement_create, name="announce"),
]
