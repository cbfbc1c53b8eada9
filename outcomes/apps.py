from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class OutcomesConfig(AppConfig):
    """What happened at the events: attendance, outcome reports, certificates."""

    name = "outcomes"
    verbose_name = _("Outcomes")

    def ready(self):
        from events.models import Registration

        post_save.connect(_registration_saved, sender=Registration, dispatch_uid="outcomes-anonymise")
        post_migrate.connect(_schedule_daily, sender=self, dispatch_uid="outcomes-daily")


def _registration_saved(sender, instance, update_fields=None, **_kwargs):
    """events.services anonymises a registration in place: its attendance keeps the count and the
    certificate's code, and loses the person with it."""
    if instance.anonymised_at:
        from .services import attendance_forget

        attendance_forget(registration=instance)


def _schedule_daily(**_kwargs):
    from .services import schedule_daily

    schedule_daily()
