from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SeriesConfig(AppConfig):
    """Organisers' tools: copies of an event, series of events moderated once, and short
    announcements to an event's registrants."""

    name = "series"
    verbose_name = _("Series and announcements")

    def ready(self):
        from events import services

        from .selectors import submitted_siblings

        # A coordinator's decision on one submitted occurrence applies to the whole series.
        if submitted_siblings not in services.MODERATION_FOLLOWERS:
            services.MODERATION_FOLLOWERS.append(submitted_siblings)
