"""Data out, outside the language prefixes: the read API (/api/v1/), the open dataset (/data/) and
the embeddable list (/embed/)."""

from django.urls import path
from django.views.generic import RedirectView

from . import views
from .api import api

app_name = "opendata"

urlpatterns = [
    path("data/events.<str:kind>", views.data_file, name="data_file"),
    path("data/catalog.jsonld", views.catalogue, name="catalogue"),
    path("embed/events/", views.embed_events, name="embed_events"),
]

# Its own namespace ("api-v1"), given by django-ninja. Its root (a 404 in django-ninja) leads to
# the docs.
api_urls = [
    path("api/v1/", RedirectView.as_view(pattern_name="api-v1:openapi-view"), name="api_home"),
    path("api/v1/", api.urls),
]
