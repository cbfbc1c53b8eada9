"""Short, language-free addresses printed on certificates: /c/<code>."""

from django.urls import path, re_path

from . import views

app_name = "certificates"

CODE = r"(?P<code>[0-9A-Za-z]{6,12})"

urlpatterns = [
    re_path(rf"^c/{CODE}$", views.verify, name="verify"),
    re_path(rf"^c/{CODE}\.jsonld$", views.credential, name="credential"),
    re_path(rf"^c/{CODE}/certificate\.pdf$", views.certificate_pdf, name="pdf"),
    path("credentials/issuer", views.issuer, name="issuer"),
]
