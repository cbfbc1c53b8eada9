"""Demo content for `seed_demo`: the 24 locales, home and campaign pages from campaigns/demo/pages.json
(written from shared/seed), translated into six languages, and a national page per country.

Every function here is idempotent: it looks for what exists (by slug and locale) and creates only
what is missing, so `make run` can call it on each start."""

import json
import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django_countries import countries
from wagtail.blocks import StreamValue
from wagtail.models import Collection, Locale, Page, Site

from .models import CampaignIndexPage, CampaignPage, HomePage, NationalPage, PrivacyPage

CONTENT_FILE = Path(__file__).resolve().parent / "demo" / "pages.json"


def load_content():
    with CONTENT_FILE.open(encoding="utf-8") as handle:
        return json.load(handle)


def ensure_locales():
    existing = set(Locale.objects.values_list("language_code", flat=True))
    Locale.objects.bulk_create(
        [Locale(language_code=code) for code, _name in settings.LANGUAGES if code not in existing]
    )
    return {locale.language_code: locale for locale in Locale.objects.all()}


def _stream(page_class, blocks, ids=None):
    """Raw stream data with stable block ids: translations reuse the source's ids so that
    wagtail-localize can keep them in sync later."""
    raw = []
    for index, block in enumerate(blocks):
        block_id = ids[index] if ids and index < len(ids) else str(uuid.uuid4())
        raw.append({"type": block["type"], "value": block["value"], "id": block_id})
    stream_block = page_class._meta.get_field("body").stream_block
    return StreamValue(stream_block, raw, is_lazy=True)


def _apply(page, data, ids=None):
    page.title = data["title"]
    page.intro = data.get("intro", "")
    page.body = _stream(type(page), data.get("body", []), ids)


def _publish(page):
    page.save_revision().publish()
    return page


def _ensure_source(page_class, parent, slug, data, locale):
    page = page_class.objects.filter(locale=locale, slug=slug).child_of(parent).first()
    if page is None:
        page = page_class(slug=slug, locale=locale, show_in_menus=True)
        _apply(page, data)
        parent.add_child(instance=page)
        _publish(page)
    return page


def _ensure_translations(source, translations, locales):
    """Create each missing translation with Wagtail's copy_for_translation, then fill in the
    translated text (same block structure and ids as the source) and publish it."""
    ids = [block.id for block in source.body]
    for code, data in translations.items():
        if code == source.locale.language_code or code not in locales:
            continue
        if source.get_translation_or_none(locales[code]) is not None:
            continue
        copy = source.copy_for_translation(locales[code], copy_parents=True).specific
        _apply(copy, data, ids)
        copy.save()
        _publish(copy)


@transaction.atomic
def seed_pages():
    locales = ensure_locales()
    content = load_content()
    english = locales["en"]
    root = Page.get_first_root_node()
    if root is None:  # an emptied database (flushed by a test): Wagtail's migration made one
        root = Page.add_root(instance=Page(title="Root", slug="root", locale=english))
    if Collection.get_first_root_node() is None:  # the same for media: uploads need a root collection
        Collection.add_root(name="Root")

    home = HomePage.objects.filter(locale=english, depth=2).first()
    if home is None:
        # Wagtail's installer leaves a plain "Welcome to your new Wagtail site!" page (and a Site
        # pointing at it) where our home page belongs.
        Page.objects.filter(depth=2, content_type__model="page").delete()
        home = HomePage(slug="home", locale=english)
        _apply(home, content["home"]["en"])
        root.add_child(instance=home)
        _publish(home)
    site = Site.objects.filter(is_default_site=True).first() or Site(
        hostname="localhost", port=80, is_default_site=True
    )
    if site.root_page_id != home.pk:
        site.root_page = home
        site.site_name = settings.WAGTAIL_SITE_NAME
        site.save()
    _ensure_translations(home, content["home"], locales)

    campaigns = _ensure_source(
        CampaignIndexPage, home, "campaigns", content["campaign_index"]["en"], english
    )
    _ensure_translations(campaigns, content["campaign_index"], locales)
    for entry in content["campaigns"]:
        page = _ensure_source(CampaignPage, campaigns, entry["slug"], entry["en"], english)
        _ensure_translations(page, {k: v for k, v in entry.items() if k != "slug"}, locales)

    privacy = _ensure_source(PrivacyPage, home, "privacy", content["privacy"]["en"], english)
    _ensure_translations(privacy, content["privacy"], locales)

    countries_index = _ensure_source(
        CampaignIndexPage, home, "countries", content["countries_index"]["en"], english
    )
    _ensure_translations(countries_index, content["countries_index"], locales)
    seed_national_pages(countries_index, locales, list(content["home"].keys()))
    return home


def national_page_text(country_code, language):
    with translation.override(language):
        name = str(countries.name(country_code))
        intro = _(
            "The European Year of Skills in %(country)s: events, news and contacts from the "
            "national coordinators."
        ) % {"country": name}
        heading = _("Upcoming events in %(country)s") % {"country": name}
    return {
        "title": name,
        "intro": intro,
        "body": [
            {"type": "upcoming_events", "value": {"heading": heading, "country": country_code, "limit": 3}}
        ],
    }


# National pages are translated into every seeded language for the two demo coordinators'
# countries, and elsewhere into the country's own languages among those seeded; the rest stay in
# English, which the coordinators' translation-coverage view then shows as missing.
FULLY_TRANSLATED = {"FR", "DE"}
OWN_LANGUAGES = {"AT": {"de"}, "BE": {"fr"}, "LU": {"fr", "de"}, "LI": {"de"}, "IT": {"it"}, "ES": {"es"},
                 "PL": {"pl"}}


def seed_national_pages(index, locales, languages):
    english = locales["en"]
    for code in settings.EYOS_COUNTRIES:
        wanted = set(languages) if code in FULLY_TRANSLATED else OWN_LANGUAGES.get(code, set()) & set(languages)
        page = NationalPage.objects.filter(locale=english, country=code).first()
        if page is None:
            page = NationalPage(slug=code.lower(), locale=english, country=code)
            _apply(page, national_page_text(code, "en"))
            index.add_child(instance=page)
            _publish(page)
        _ensure_translations(
            page, {language: national_page_text(code, language) for language in sorted(wanted)}, locales
        )


