"""Public reads of events. Each selector owns its query budget."""

from django.utils import timezone

from .models import Event


def published_events():
    """Events the public may see: published ones, and cancelled ones (shown as cancelled)."""
    return Event.objects.filter(status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED])


def upcoming_events(*, country=None, limit=3):
    """The next published events, for the campaign pages' "upcoming events" block. One query."""
    events = Event.objects.filter(status=Event.Status.PUBLISHED, end__gte=timezone.now())
    if country:
        events = events.filter(country=country)
    return list(
        events.select_related("organisation")
        .only("uid", "title", "slug", "summary", "language", "start", "end", "timezone", "city",
              "country", "format", "organisation__name")
        .order_by("start", "pk")[:limit]
    )


def organiser_event_list(user):
    """An organiser's events, newest first, with what the dashboard shows. One query."""
    from coordinators import permissions

    return list(
        permissions.organiser_events(user).select_related("organisation")
        .only("uid", "title", "status", "start", "timezone", "moderation_comment", "rejection_reason",
              "organisation__name", "organisation__slug")
        .order_by("-created_at", "-pk")
    )
