from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OpenDataConfig(AppConfig):
    """Data out: the public read API (/api/v1/), the daily open dataset (/data/) and the
    embeddable widget (/embed/)."""

    name = "opendata"
    verbose_name = _("Open data")

    def ready(self):
        post_migrate.connect(_schedule_dataset, sender=self, dispatch_uid="eyos-open-dataset")


def _schedule_dataset(**_kwargs):
    """Every `migrate` (each deploy, `make run`) makes sure the daily dataset run is booked."""
    from .tasks import schedule_dataset

    schedule_dataset()
