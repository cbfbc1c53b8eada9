"""Wagtail's front-end URLs, its page view served through the page cache (campaigns.views)."""

from django.urls import re_path
from wagtail import urls as wagtail_urls

from . import views

urlpatterns = [
    *(pattern for pattern in wagtail_urls.urlpatterns if getattr(pattern, "name", None) != "wagtail_serve"),
    re_path(wagtail_urls.serve_pattern, views.serve, name="wagtail_serve"),
]
