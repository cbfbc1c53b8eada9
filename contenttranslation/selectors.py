"""Reads of event translations: what the event page and the feeds show in a language."""

from dataclasses import dataclass

from django.conf import settings

from .backends import get_backend
from .models import EventTranslation, MachineTranslation, source_digest


@dataclass
class EventContent:
    """An event's title, summary and description as shown in one language.

    kind: "original" (the organiser's text as written), "organiser" (their own translation),
    "machine" (a machine translation, labelled so, with a link to the original).
    state, when the reader asked for a language the content is not in: "offer" (a machine
    translation can be asked for), "pending" (asked, not back yet), "failed", "unavailable"."""

    title: str
    summary: str
    description: str
    language: str
    kind: str = "original"
    requested: str = ""
    state: str = ""

    @property
    def translated(self):
        return self.kind != "original"


def _original(event, **extra):
    return EventContent(title=event.title, summary=event.summary, description=event.description,
                        language=event.language, **extra)


def event_content(event, language=None):
    """The event's content for a reader who asked for `language` (?lang=): the organiser's own
    translation first, else a finished machine translation of the current text, else the original
    (and whether a machine translation may be asked for). Without a language, or in the event's
    own, the original and no query."""
    if not language or language == event.language or language not in dict(settings.LANGUAGES):
        return _original(event)
    own = EventTranslation.objects.filter(event=event, language=language).only(
        "title", "summary", "description").first()
    if own is not None:
        return EventContent(title=own.title, summary=own.summary, description=own.description,
                            language=language, kind="organiser", requested=language)
    digest = source_digest(event.title, event.summary, event.description)
    machine = MachineTranslation.objects.filter(event=event, language=language, source_digest=digest).first()
    if machine is not None and machine.status == MachineTranslation.Status.DONE:
        return EventContent(title=machine.title or event.title, summary=machine.summary or event.summary,
                            description=machine.description if event.description else "",
                            language=language, kind="machine", requested=language)
    if machine is not None:
        state = "pending" if machine.status == MachineTranslation.Status.PENDING else "failed"
    else:
        state = "offer" if get_backend() is not None else "unavailable"
    return _original(event, requested=language, state=state)


def with_translations(events, language):
    """The events (a list) with the organiser's translation into `language` in place of their
    text, for calendar feeds, in one query; each translated event gets `content_language`. Machine
    translations are never put in feeds: a calendar has no room to say what they are."""
    events = list(events)
    if not events or language not in dict(settings.LANGUAGES):
        return events
    wanted = [event.pk for event in events if event.language != language]
    if not wanted:
        return events
    found = {row.event_id: row for row in EventTranslation.objects.filter(event_id__in=wanted, language=language)
             .only("event_id", "title", "summary", "description")}
    for event in events:
        own = found.get(event.pk)
        if own is not None:
            event.title, event.summary, event.description = own.title, own.summary, own.description
            event.content_language = language
    return events


def offers_translation(event, language):
    """Whether the event page offers "Show in <language>": a machine translation can be asked for,
    or the organiser translated it into that language."""
    if get_backend() is not None:
        return True
    return EventTranslation.objects.filter(event=event, language=language).exists()


def event_translations(event):
    return list(EventTranslation.objects.filter(event=event).order_by("language"))
