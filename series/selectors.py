from events.models import Event


def series_of(event):
    from .models import SeriesOccurrence

    link = SeriesOccurrence.objects.filter(event=event).select_related("series").first()
    return link.series if link else None


def occurrences(series):
    return Event.objects.filter(series_link__series=series).order_by("start", "pk")


def submitted_siblings(event):
    """The other submitted occurrences of `event`'s series (none if it is not in one)."""
    return Event.objects.filter(
        series_link__series__occurrences__event=event, status=Event.Status.SUBMITTED
    ).exclude(pk=event.pk).order_by("start", "pk")


def recent_announcements(event):
    return event.announcements.order_by("-created_at", "-pk")[:20]
