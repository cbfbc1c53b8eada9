"""The event list's free text across languages (issue 18): "Konferenz" finds events of the topic
"Conference", "Frankreich" the events in France, and an organiser's translated title finds its
event, whatever the language of the page or of the event.

Names are matched from the start of the name or of one of its words, for three characters or
more ("land" does not find every country whose name ends in -land); country names after case and
accent folding ("Malte", "malta", "Málta"), topic names case-insensitively in the database. All of
it is one more query, a semi-join, whatever the number of events. The whole text is matched as one phrase; words mixed with
other words ("Konferenz Paris") are left to the full-text search."""

import functools
import re
import unicodedata

from django.conf import settings
from django.db.models import Q
from django.utils import translation

MIN_LENGTH = 3


def fold(text):
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def _matches(name, folded_q):
    name = fold(name)
    return name.startswith(folded_q) or any(word.startswith(folded_q) for word in re.split(r"[\s\-'’()]+", name))


@functools.lru_cache(maxsize=1)
def _country_names():
    """(code, name) in every language of the site, for the participating countries. Built once per
    process: django-countries' names and our overrides (Irish, Maltese) come from the catalogues."""
    from django_countries import countries

    pairs = set()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for code in settings.EYOS_COUNTRIES:
                pairs.add((code, str(countries.name(code))))
    return sorted(pairs)


def matching_countries(q):
    folded = fold(q)
    if len(folded) < MIN_LENGTH:
        return set()
    return {code for code, name in _country_names() if _matches(name, folded)}


def topic_condition(q):
    """Topics named like `q` in any language, as a subquery (no query of its own): from the start
    of the name or of a word. Case-insensitive in the database (on SQLite for ASCII letters only;
    PostgreSQL, the production database, folds every script); accents must match."""
    from events.models import Topic

    return Topic.objects.filter(Q(name__istartswith=q) | Q(name__icontains=" " + q)).values("translation_key")


def cross_language_condition(q):
    """A filter on Event for what `q` names in other languages, or None when it is too short."""
    from events.models import Event

    from .models import EventTranslation

    q = (q or "").strip()
    if len(fold(q)) < MIN_LENGTH:
        return None
    condition = Q(pk__in=EventTranslation.objects.filter(Q(title__icontains=q) | Q(summary__icontains=q))
                  .values("event_id"))
    countries = matching_countries(q)
    if countries:
        condition |= Q(country__in=sorted(countries))
    condition |= Q(pk__in=Event.topics.through.objects.filter(topic__translation_key__in=topic_condition(q))
                   .values("event_id"))
    return condition
