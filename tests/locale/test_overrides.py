"""Translations of django-allauth's and Django's own strings that those projects lack (Maltese,
Irish; allauth has only pt_PT, not pt) or that do not fit a public EU site (allauth's German
says "du"): locale_overrides/, which wins over the apps' catalogues."""

from pathlib import Path

import polib
import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
OVERRIDES = ROOT / "locale_overrides"
LANGUAGES = sorted(path.name for path in OVERRIDES.iterdir() if path.is_dir())


def test_overrides_cover_the_languages_allauth_or_django_lack():
    assert set(LANGUAGES) >= {"mt", "ga", "pt", "de"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_override_catalogues_are_complete_and_compiled(language):
    import re

    po = polib.pofile(str(OVERRIDES / language / "LC_MESSAGES" / "django.po"))
    untranslated = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert untranslated == [], untranslated[:5]
    placeholder = re.compile(r"%\([a-z_]+\)[sdif]|%[sdif]|\{[a-z_0-9]*\}")
    for entry in po:
        texts = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for text in texts:
            assert set(placeholder.findall(text)) <= set(placeholder.findall(entry.msgid + (entry.msgid_plural or ""))), \
                (language, entry.msgid)
    mo = OVERRIDES / language / "LC_MESSAGES" / "django.mo"
    assert mo.exists() and mo.stat().st_mtime >= (OVERRIDES / language / "LC_MESSAGES" / "django.po").stat().st_mtime - 1


def test_allauth_and_django_speak_the_pages_language(client, db):
    for language, english in (("mt", "Forgot your password?"), ("ga", "Forgot your password?"),
                              ("pt", "Forgot your password?")):
        page = client.get(f"/{language}/accounts/login/").content.decode()
        assert english not in page, language
    german = client.get("/de/accounts/login/").content.decode()
    assert "Du hast" not in german and "du " not in german.split("<main", 1)[1].lower().replace("dur", "")
    with translation.override("mt"):
        from django import forms

        assert str(forms.Field.default_error_messages["required"]) != "This field is required."
        from django.utils.dateformat import format as date_format
        from datetime import date

        assert "January" not in date_format(date(2027, 1, 22), "j F Y")


def test_country_lists_follow_the_alphabet_and_names_of_the_pages_language(client, db):
    import re

    def countries(language):
        page = client.get(f"/{language}/events/").content.decode()
        return [name.strip() for name in re.findall(r'name="country" value="[A-Z]{2}"[^>]*> ([^<(]+)', page)]

    bulgarian = countries("bg")
    assert bulgarian[:3] == ["Австрия", "Албания", "Белгия"]
    assert "Босна и Херцеговина" in bulgarian and "Черна гора" in bulgarian and "Дания" in bulgarian
    assert "Βόρεια Μακεδονία" in countries("el")
    english = countries("en")
    assert english == sorted(english) and english[0] == "Albania"
