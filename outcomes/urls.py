from django.urls import path

from . import views

app_name = "outcomes"

urlpatterns = [
    path("events/<uuid:uid>/check-in/", views.check_in, name="check_in"),
    path("events/<uuid:uid>/check-in/all/", views.check_in_all, name="check_in_all"),
    path("events/<uuid:uid>/check-in/walk-in/", views.check_in_walk_in, name="check_in_walk_in"),
    path("events/<uuid:uid>/check-in/<int:registration_pk>/", views.check_in_mark, name="check_in_mark"),
    path("events/<uuid:uid>/attendees/", views.attendee_list, name="attendee_list"),
    path("events/<uuid:uid>/outcome/", views.outcome_report, name="report"),
    path("certificates/<int:registration_pk>.pdf", views.my_certificate, name="my_certificate"),
]
