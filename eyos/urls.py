import re

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from contenttranslation.urls import callback_urlpatterns as translation_callback_urls
from opendata.urls import api_urls

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("", views.root_redirect, name="root"),
    path("admin/login/", views.admin_login_redirect, name="admin_login_redirect"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("feeds/", include("events.feed_urls")),
    path("api/map/", include("events.map_urls")),
    # Data out (API, open dataset, embeddable list): the same URLs in every language.
    path("", include("opendata.urls")),
    path("", include(translation_callback_urls)),  # eTranslation posts its answers here
    path("", include("outcomes.certificate_urls")),  # /c/<code>: printed on certificates
    *api_urls,
]

if settings.MEDIA_URL.startswith("/"):  # media on this site's own disk (see eyos.views.media)
    urlpatterns.append(re_path(rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.+)$", views.media))

urlpatterns += i18n_patterns(
    path("accounts/", include("allauth.urls")),
    path("organise/", include("events.urls")),
    path("organise/", include("outcomes.urls")),  # check-in, outcome reports, certificates
    path("organise/", include("series.urls")),  # copies, series, messages to registrants
    path("my-data/", include("events.privacy_urls")),
    path("", include("events.public_urls")),
    path("", include("contenttranslation.urls")),  # "show in <language>", organisers' translations
    # One way to sign in, allauth's: Wagtail's front-end login (Django's LoginView, no second
    # factor, no rate limit) sends visitors to it. Same name, so Wagtail's reverse() finds this.
    path("_util/login/", views.login_redirect, name="wagtailcore_login"),
    # Wagtail's catch-all stays last (its page view behind the page cache: campaigns.urls).
    path("", include("campaigns.urls")),
    prefix_default_language=True,
)

# allauth's rate limits (sign-in, sign-up, password reset) answer with the same friendly page as
# the registration form's.
handler429 = "events.views.common.too_many_requests"
