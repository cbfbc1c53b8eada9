"""Names the site shows in every language: the participating countries (django-countries, with
locale_overrides/ where it has no catalogue - Irish, Maltese - or a name the EU does not use) and
the demo topics (seed data, one Topic row per language). Like the catalogue test: a name that is
still the English one is a missing translation, unless the language really writes it the same;
those exceptions are listed here, one by one."""

import pytest
from django.conf import settings
from django.utils import translation
from django_countries import countries

from events.demo import TOPICS

LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]

# (language: country codes) whose name is the English one.
SAME_COUNTRY_NAMES = {
    "cs": {"MT"},
    "da": {"FI", "LI", "LU", "MD", "ME", "MT", "PT", "UA"},
    "de": {"LI", "ME", "MT", "PT", "UA"},
    "es": {"AL", "AT", "BG", "EE", "GE", "LI", "ME", "MT", "PT", "RS"},
    "et": {"AT", "LI", "MD", "ME", "MT", "PT", "RS"},
    "fi": {"AL", "BG", "GE", "LI", "LV", "MD", "ME", "MT", "RO", "RS", "SI", "SK"},
    "fr": {"FR", "LI", "LU", "PT", "UA"},
    "hr": {"MT", "PT"},
    "hu": {"BE", "LI", "MD"},
    "it": {"AL", "AT", "BG", "EE", "GE", "LI", "ME", "MT", "RO", "RS", "SI"},
    "lt": {"MD", "MT"},
    "lv": {"MD", "MT"},
    "mt": {"MT"},
    "nl": {"CY", "FI", "LI", "ME", "MT", "PT"},
    "pl": {"AL", "AT", "EE", "LI", "MT", "RS"},
    "pt": {"LI", "ME", "MT", "PT"},
    "ro": {"AL", "AT", "BG", "EE", "GE", "LI", "MT", "RS", "SI"},
    "sk": {"CY", "MT"},
    "sl": {"MT"},
    "sv": {"FI", "LI", "ME", "MT", "PT"},
}
# Where django-countries' name is not the one the EU uses (outdated, Brazilian, other spelling),
# locale_overrides/ gives the EU's (Interinstitutional Style Guide, list of countries).
EU_NAMES = {
    ("da", "NL"): "Nederlandene", ("es", "CY"): "Chipre", ("et", "MK"): "Põhja-Makedoonia",
    ("et", "NL"): "Madalmaad", ("fi", "MK"): "Pohjois-Makedonia", ("fr", "CZ"): "Tchéquie",
    ("fr", "MK"): "Macédoine du Nord", ("hr", "LV"): "Latvija", ("hr", "MK"): "Sjeverna Makedonija",
    ("hu", "MK"): "Észak-Macedónia", ("it", "MK"): "Macedonia del Nord", ("lt", "MK"): "Šiaurės Makedonija",
    ("lt", "NL"): "Nyderlandai", ("lv", "MK"): "Ziemeļmaķedonija", ("pl", "MK"): "Macedonia Północna",
    ("pl", "NL"): "Niderlandy", ("pt", "CZ"): "Chéquia", ("ro", "BA"): "Bosnia și Herțegovina",
    ("ro", "CZ"): "Cehia", ("ro", "FR"): "Franța", ("ro", "HR"): "Croația", ("ro", "MD"): "Republica Moldova",
    ("ro", "MK"): "Macedonia de Nord", ("ro", "NL"): "Țările de Jos", ("sv", "AL"): "Albanien",
    ("sv", "GE"): "Georgien", ("sv", "MK"): "Nordmakedonien",
    ("ga", "FR"): "An Fhrainc", ("ga", "IE"): "Éire", ("mt", "DE"): "Il-Ġermanja", ("mt", "MK"): "Il-Maċedonja ta' Fuq",
}
# (language: topic slugs) whose name is the English one.
SAME_TOPIC_NAMES = {"fr": {"construction"}}


def english_country_names():
    with translation.override("en"):
        return {code: str(countries.name(code)) for code in settings.EYOS_COUNTRIES}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_participating_country_has_its_name_in_every_language(language):
    english = english_country_names()
    with translation.override(language):
        names = {code: str(countries.name(code)) for code in settings.EYOS_COUNTRIES}
    same = {code for code, name in names.items() if name == english[code]}
    assert same == SAME_COUNTRY_NAMES.get(language, set()), f"{language}: still English: {sorted(same)}"


def test_country_names_are_the_ones_the_eu_uses():
    wrong = {}
    for (language, code), expected in EU_NAMES.items():
        with translation.override(language):
            if str(countries.name(code)) != expected:
                wrong[language, code] = str(countries.name(code))
    assert wrong == {}


@pytest.mark.parametrize("language", ["ga", "mt"])
def test_irish_and_maltese_country_lists_follow_their_alphabet(client, db, language):
    """Irish and Maltese names start with the article (An Fhrainc, Il-Ġermanja): the list sorts
    them by the name itself, as their dictionaries do."""
    import re

    page = client.get(f"/{language}/events/").content.decode()
    names = [name.strip() for name in re.findall(r'name="country" value="[A-Z]{2}"[^>]*> ([^<(]+)', page)]
    assert len(names) == len(settings.EYOS_COUNTRIES)
    expected = {"ga": ["An Albáin", "An Bheilg"], "mt": ["L-Albanija", "L-Awstrija"]}[language]
    assert names[:2] == expected, names[:5]


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_demo_topic_has_its_name_in_every_language(language):
    from events.selectors import _topic_choices

    english = dict(TOPICS)
    with translation.override(language):
        shown = dict(_topic_choices())
    assert set(shown) == set(english)
    same = {slug for slug, name in shown.items() if name == english[slug]}
    assert same == SAME_TOPIC_NAMES.get(language, set()), f"{language}: still English: {sorted(same)}"


@pytest.mark.django_db
def test_seeding_topics_again_changes_nothing_and_repairs_old_rows():
    from events.demo import TOPIC_TRANSLATIONS, seed_topics
    from events.models import Topic

    assert sorted(TOPIC_TRANSLATIONS) == sorted(LANGUAGES)
    before = set(Topic.objects.values_list("pk", "locale__language_code", "slug", "name"))
    seed_topics()
    assert set(Topic.objects.values_list("pk", "locale__language_code", "slug", "name")) == before
    # A database seeded before the names existed: an English name in Maltese, a topic missing.
    digital = Topic.objects.get(locale__language_code="mt", slug="digital-skills")
    digital.name = "Digital skills"
    digital.save()
    Topic.objects.filter(locale__language_code="ga", slug="tourism").delete()
    seed_topics()
    assert Topic.objects.get(pk=digital.pk).name == "Ħiliet diġitali"
    assert Topic.objects.get(locale__language_code="ga", slug="tourism").name == "Turasóireacht"
    assert Topic.objects.count() == len(before)
