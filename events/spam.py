"""A simple spam score for the coordinators' queue: a few cheap signals, each worth points, with
the reasons kept so the queue can say why. It only sorts and flags; coordinators decide."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

LINK = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
MANY_LINKS = 3
RECENT_DAYS = 30

POINTS = {"links": 2, "repeated": 3, "new_account": 1, "bad_domain": 5}
REASONS = {
    "links": _("many links in the text"),
    "repeated": _("same title or summary as another organisation's recent event"),
    "new_account": _("submitted by a new account"),
    "bad_domain": _("link to a known spam domain"),
}


def reason_labels(codes):
    return [str(REASONS[code]) for code in codes if code in REASONS]


def _domain(url):
    try:
        host = urlsplit(url if "//" in url else f"//{url}").hostname or ""
    except ValueError:
        return ""
    return host.lower().removeprefix("www.")


def _bad(domain):
    return any(domain == bad or domain.endswith(f".{bad}") for bad in settings.EYOS_SPAM_DOMAINS)


def score(event, user=None):
    """(score, reason codes) for an event; `user` is the submitter (defaults to its creator)."""
    from .models import Event

    reasons = []
    text = f"{event.summary or ''} {event.description or ''}"
    links = LINK.findall(text)
    if len(links) >= MANY_LINKS:
        reasons.append("links")
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    same = Q(title__iexact=event.title) if event.title else Q(pk__in=[])
    if event.summary:
        same |= Q(summary__iexact=event.summary)
    if (
        Event.objects.filter(same, created_at__gte=since)
        .exclude(pk=event.pk).exclude(organisation_id=event.organisation_id).exists()
    ):
        reasons.append("repeated")
    user = user or event.created_by
    if user is not None and user.date_joined >= timezone.now() - timedelta(days=settings.EYOS_SPAM_NEW_ACCOUNT_DAYS):
        reasons.append("new_account")
    urls = links + [url for url in (event.online_url, event.external_registration_url) if url]
    if settings.EYOS_SPAM_DOMAINS and any(_bad(_domain(url)) for url in urls):
        reasons.append("bad_domain")
    return sum(POINTS[code] for code in reasons), reasons


def apply(event, user=None):
    """Sets the event's spam_score and spam_reasons (the caller saves)."""
    event.spam_score, event.spam_reasons = score(event, user)
    return event
