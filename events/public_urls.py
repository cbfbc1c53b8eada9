from django.urls import path

from .views import public

app_name = "events"

urlpatterns = [
    path("events/", public.event_list, name="list"),
    path("events/subscribe/", public.subscribe, name="subscribe"),
    path("events/near/", public.near_place, name="near_place"),
    path("events/<uuid:uid>/", public.event_detail, name="detail"),
    path("events/<uuid:uid>/register/", public.register, name="register"),
    path("registrations/", public.my_registrations, name="my_registrations"),
    path("registrations/<int:pk>/cancel/", public.my_registration_cancel, name="my_registration_cancel"),
    # Links from emails carry a signed token; they keep it in the session and redirect to the page
    # of that registration, which names it by number only.
    path("registrations/confirm/<int:pk>/", public.registration_page, {"action": "confirm"},
         name="registration_confirm_page"),
    path("registrations/cancel/<int:pk>/", public.registration_page, {"action": "cancel"},
         name="registration_cancel_page"),
    path("registrations/confirm/<str:token>/", public.registration_link, {"action": "confirm"},
         name="registration_confirm"),
    path("registrations/cancel/<str:token>/", public.registration_link, {"action": "cancel"},
         name="registration_cancel"),
]
