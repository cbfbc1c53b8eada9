from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PartnerFeedsConfig(AppConfig):
    """Data in from partners' platforms: iCal or JSON feeds that coordinators register, fetched
    by a scheduled task (partnerfeeds.tasks) into events (partnerfeeds.services)."""

    name = "partnerfeeds"
    verbose_name = _("Partner feeds")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        post_migrate.connect(_schedule_fetches, sender=self, dispatch_uid="eyos-partner-feeds")


def _schedule_fetches(**_kwargs):
    """Every `migrate` makes sure the hourly fetch run is booked."""
    from .tasks import schedule_fetches

    schedule_fetches()
