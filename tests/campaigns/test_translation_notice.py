"""A page shown in another language than the visitor's (Wagtail serves the English tree under the
prefixes of the 18 languages without pages of their own) says so, in the visitor's language, and
links to the languages the page exists in. The notice is a note, not a landmark; the language
names carry their own lang; the text says it all (no colour-only information)."""

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from wagtail.models import Locale, Page

from campaigns.models import CampaignIndexPage, CampaignPage, HomePage

pytestmark = pytest.mark.django_db

MALTESE_NOTICE = "Din il-paġna għadha ma ġietx tradotta għall-Malti."
ENGLISH_NOTICE = "This page has not been translated into this language yet."  # the msgid


class NoticeReader(HTMLParser):
    """The notice's elements (role="note"): its text with the lang in force, and its links."""

    VOID = {"br", "img", "input", "link", "meta", "hr", "source", "wbr", "area", "col", "embed"}

    def __init__(self):
        super().__init__()
        self.langs = []  # one entry per open element: its lang, or None
        self.depth_in_note = None
        self.notes = 0
        self.texts = []  # (lang in force, text) inside the note
        self.links = []  # (href, hreflang, lang, text)
        self._link = None

    def lang(self):
        return next((lang for lang in reversed(self.langs) if lang), None)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.VOID:
            return
        self.langs.append(attrs.get("lang"))
        if attrs.get("role") == "note":
            self.notes += 1
            self.depth_in_note = len(self.langs)
        if self.depth_in_note and tag == "a":
            self._link = [attrs.get("href"), attrs.get("hreflang"), attrs.get("lang"), ""]
        if self.depth_in_note and tag in {"main", "nav", "aside", "section", "header", "footer", "form"}:
            raise AssertionError(f"a landmark inside the note: <{tag}>")
        if self.depth_in_note and "role" in attrs and attrs["role"] != "note":
            raise AssertionError(f"a role inside the note: {attrs['role']}")

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if self._link and tag == "a":
            self.links.append(tuple(self._link))
            self._link = None
        if self.depth_in_note and len(self.langs) == self.depth_in_note:
            self.depth_in_note = None
        self.langs.pop()

    def handle_data(self, data):
        if self.depth_in_note and data.strip():
            self.texts.append((self.lang(), " ".join(data.split())))
            if self._link:
                self._link[3] += data.strip()


def read(response):
    assert response.status_code == 200
    reader = NoticeReader()
    reader.feed(response.content.decode())
    return reader


def english_and_french_page():
    english = Locale.objects.get(language_code="en")
    french = Locale.objects.get(language_code="fr")
    index = CampaignIndexPage.objects.get(locale=english, slug="campaigns")
    page = CampaignPage(slug="green-jobs-week", title="Green jobs week", intro="Jobs for the green transition.",
                        locale=english)
    index.add_child(instance=page)
    page.save_revision().publish()
    copy = page.copy_for_translation(french).specific
    copy.title, copy.intro = "Semaine des emplois verts", "Des emplois pour la transition verte."
    copy.save()
    copy.save_revision().publish()
    return page


def test_a_page_in_english_and_french_visited_in_maltese_says_so_in_maltese():
    english_and_french_page()
    notice = read(client_get("/mt/campaigns/green-jobs-week/"))
    assert notice.notes == 1
    text = " ".join(text for _lang, text in notice.texts)
    assert MALTESE_NOTICE in text
    # The notice speaks Maltese (the page's language); only the language names are marked otherwise.
    assert {lang for lang, _chunk in notice.texts} <= {"mt", "en", "fr"}
    assert all(lang == "mt" for lang, chunk in notice.texts if MALTESE_NOTICE in chunk)
    assert sorted(notice.links) == [
        ("/en/campaigns/green-jobs-week/", "en", "en", "English"),
        ("/fr/campaigns/green-jobs-week/", "fr", "fr", "français"),
    ]
    # The text below is the English page, marked as English.
    assert 'lang="en"' in client_get("/mt/campaigns/green-jobs-week/").content.decode().split(MALTESE_NOTICE, 1)[1]


def test_a_page_that_exists_in_the_visitors_language_has_no_notice():
    page = english_and_french_page()
    maltese = Locale.objects.get(language_code="mt")
    # As an editor translating one page with wagtail-localize: its parents (home, campaigns) become
    # Maltese aliases of the English pages, with the English text.
    copy = page.copy_for_translation(maltese, copy_parents=True).specific
    copy.title = "Ġimgħa tal-impjiegi ekoloġiċi"
    copy.save()
    copy.save_revision().publish()
    assert Page.objects.filter(locale=maltese, alias_of__isnull=False).count() == 2
    for path in ("/mt/campaigns/green-jobs-week/", "/en/campaigns/green-jobs-week/",
                 "/fr/campaigns/green-jobs-week/", "/fr/", "/en/", "/de/campaigns/pact-for-skills/"):
        response = client_get(path)
        assert read(response).notes == 0, path
        assert MALTESE_NOTICE not in response.content.decode()
    assert "Ġimgħa tal-impjiegi ekoloġiċi" in client_get("/mt/campaigns/green-jobs-week/").content.decode()
    # The Maltese alias of the home page still shows the English text: the notice says so, and
    # offers the languages the page is written in, not the alias.
    home = read(client_get("/mt/"))
    assert home.notes == 1
    assert MALTESE_NOTICE in " ".join(text for _lang, text in home.texts)
    assert "/mt/" not in {href for href, *_rest in home.links}


def test_views_that_are_not_cms_pages_have_no_notice():
    for path in ("/mt/events/", "/ga/accounts/login/"):
        assert read(client_get(path)).notes == 0, path


def test_every_language_without_pages_of_its_own_says_so_in_its_own_words():
    with_pages = set(HomePage.objects.live().values_list("locale__language_code", flat=True))
    without = [code for code, _name in settings.LANGUAGES if code not in with_pages]
    assert len(without) == 18
    for language in without:
        notice = read(client_get(f"/{language}/"))
        assert notice.notes == 1, language
        own_words = [text for lang, text in notice.texts if lang == language]
        assert own_words and ENGLISH_NOTICE not in " ".join(own_words), language
        assert {href for href, *_rest in notice.links} == {f"/{code}/" for code in sorted(with_pages)}, language


def client_get(path):
    from django.test import Client

    return Client().get(path)
