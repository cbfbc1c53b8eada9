"""Every user-visible string is translated into all 24 EU languages. This test stays for every
later change: a new string without translations fails it."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = [code for code, _name in settings.LANGUAGES]
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sdif]|%[sdif]|\{[a-z_0-9]*\}")


def catalogue(language):
    return polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))


def live_entries(po):
    return [entry for entry in po if not entry.obsolete and entry.msgid]


@pytest.fixture(scope="module")
def extracted_msgids(tmp_path_factory):
    """The msgids in the code right now, extracted by Django's makemessages from a copy of the
    project (so the real catalogues are left alone)."""
    if shutil.which("xgettext") is None:
        pytest.skip("GNU gettext (xgettext) is not installed; .ci/run installs it")
    copy = tmp_path_factory.mktemp("extract") / "project"
    ignore = shutil.ignore_patterns(".venv", ".git", "staticfiles", "media", "var", "node_modules",
                                    "__pycache__", "db.sqlite3*", "test-artifacts", "bench-results")
    shutil.copytree(ROOT, copy, ignore=ignore)
    shutil.rmtree(copy / "locale")
    (copy / "locale").mkdir()
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-obsolete", "-v", "0"],
        cwd=copy, check=True, capture_output=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "eyos.settings.dev"},
    )
    po = polib.pofile(str(copy / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    return {(entry.msgctxt, entry.msgid) for entry in live_entries(po)}


def test_catalogues_exist_for_all_24_languages():
    missing = [code for code in LANGUAGES if not (ROOT / "locale" / code / "LC_MESSAGES" / "django.po").exists()]
    assert missing == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_has_every_msgid_in_the_code(language, extracted_msgids):
    present = {(entry.msgctxt, entry.msgid) for entry in live_entries(catalogue(language))}
    missing = sorted(msgid for _ctx, msgid in extracted_msgids - present)
    assert missing == [], f"{language}: run `make messages` and translate: {missing[:10]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_complete_and_placeholders_intact(language):
    po = catalogue(language)
    problems = []
    for entry in live_entries(po):
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        if not all(translations):
            problems.append(f"untranslated: {entry.msgid!r}")
            continue
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        for text in translations:
            # Plural forms may drop the number (e.g. "one event"), never add or rename one.
            found = sorted(PLACEHOLDER.findall(text))
            if entry.msgid_plural and set(found) <= set(expected + PLACEHOLDER.findall(entry.msgid_plural)):
                continue
            if found != expected:
                problems.append(f"placeholders {found} != {expected}: {entry.msgid!r}")
    assert problems == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_its_source(language):
    po = catalogue(language)
    mo_path = ROOT / "locale" / language / "LC_MESSAGES" / "django.mo"
    assert mo_path.exists(), f"{language}: run `make messages` to compile"
    compiled = {(entry.msgctxt, entry.msgid): entry.msgstr or dict(entry.msgstr_plural) for entry in polib.mofile(str(mo_path)) if entry.msgid}
    source = {(entry.msgctxt, entry.msgid): entry.msgstr or {int(k): v for k, v in entry.msgstr_plural.items()} for entry in live_entries(po) if "fuzzy" not in entry.flags}
    compiled = {key: ({int(k): v for k, v in value.items()} if isinstance(value, dict) else value) for key, value in compiled.items()}
    assert compiled == source, f"{language}: .mo is stale; run `make messages`"


# English reads as the source, except where the source is written for any language.
ENGLISH_REWORDED = {"This page has not been translated into this language yet."}


def test_the_english_catalogue_says_what_the_source_says():
    """A fuzzy guess accepted by mistake (makemessages matches a new string to an old one: "Bulleted
    list" → "Attendee list") shows a wrong label in English, where nobody translates."""
    wrong = [
        (entry.msgid, entry.msgstr) for entry in live_entries(catalogue("en"))
        if not entry.msgid_plural and entry.msgstr != entry.msgid and entry.msgid not in ENGLISH_REWORDED
    ]
    assert wrong == []
