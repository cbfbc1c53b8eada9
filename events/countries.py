"""The participating countries (EYOS_COUNTRIES) as one list, in the reader's alphabet: every
country menu (forms, filters, coordinators' choices, the API's enum, national pages) uses it."""

import re
import unicodedata

from django.conf import settings
from django.utils import translation
from django_countries import countries

# Irish and Maltese country names start with the article ("An Fhrainc", "An tSeicia", "Il-Ġermanja",
# "Iċ-Ċekja"); their dictionaries and lists sort by the name itself.
_ARTICLES = {
    "ga": re.compile(r"^An (?:t(?=[A-ZÁÉÍÓÚ]))?"),
    "mt": re.compile(r"^(?:Il|L|I[ċdnrstxżz])-"),
}


def _alphabetical(name):
    """A sort key that follows the alphabet of the name's own script closely enough for country
    lists (accents ignored, case folded, Irish and Maltese articles left out): Greek and Cyrillic
    sort as Greek and Cyrillic readers expect, not in the order of the English names."""
    article = _ARTICLES.get(translation.get_language())
    name = article.sub("", str(name)) if article else str(name)
    decomposed = unicodedata.normalize("NFD", name)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def participating_countries():
    codes = set(settings.EYOS_COUNTRIES)
    return sorted(((code, name) for code, name in countries if code in codes), key=lambda item: _alphabetical(item[1]))
