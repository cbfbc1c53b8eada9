from django.urls import path

from . import views

# Under the language prefix (eyos/urls.py), next to events' own pages.
urlpatterns = [
    path("events/<uuid:uid>/translate/", views.machine_translate, name="event_machine_translate"),
    path("organise/events/<uuid:uid>/translations/", views.event_translations, name="event_translations"),
    path("organise/events/<uuid:uid>/translations/<str:language>/", views.event_translation_edit,
         name="event_translation_edit"),
    path("organise/events/<uuid:uid>/translations/<str:language>/delete/", views.event_translation_delete,
         name="event_translation_delete"),
]

# Without a language prefix: where eTranslation posts its answers.
callback_urlpatterns = [
    path("mt/etranslation/callback/", views.etranslation_callback, name="mt_callback"),
    path("mt/etranslation/error/", views.etranslation_error_callback, name="mt_error_callback"),
]
