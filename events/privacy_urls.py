from django.urls import path

from .views import privacy

app_name = "privacy"

urlpatterns = [
    path("", privacy.my_data, name="my_data"),
    path("download/", privacy.my_data_download, name="download"),
    path("delete/", privacy.account_delete, name="delete"),
]
