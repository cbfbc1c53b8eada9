"""Event cards (the list, the campaign pages' "upcoming events" blocks), written in Python: the
template engine took 0.5–0.7 ms per card (20 on a list page, ~12 ms of its first render after a
change). `card_html` writes what templates/events/_event_card.html writes, character for
character (tests/events/test_cards.py compares them for every kind of card, in several
languages); change both together."""

import functools

from django.core.signals import setting_changed
from django.dispatch import receiver

from django.template import Context, Template
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import dateformat, formats, timezone, translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext, pgettext



@functools.cache
def _image_template():
    # The image tag is Wagtail's own (renditions, attributes), from the prefetched renditions.
    return Template('{% load wagtailimages_tags %}{% image picture fill-640x360 format-webp alt=alt '
                    'class="event-card-image" loading="lazy" %}')


def _safe(text):
    # Translations of template literals are safe (not escaped) in the template: the same here.
    return mark_safe(text)


def _interpolate(translate, values):
    """`translate() % values` (the variables escaped by the caller), as {% blocktranslate %} does
    it: a translation whose placeholders do not fit falls back to the original text."""
    try:
        return mark_safe(translate() % values)
    except (KeyError, ValueError, TypeError):
        with translation.override(None):
            return mark_safe(translate() % values)


def _image(event):
    return _image_template().render(Context({"picture": event.picture, "alt": event.picture_alt}))


# An event's start as its card writes it, per (start, time zone, language): a function of those
# alone (formats and translations change only with a release), and the same events fill the list's
# first pages after every change (date formatting was ~8% of the list's first render after a
# change). Bounded: emptied when full.
_WHEN = {}
WHEN_MAX = 20_000


@receiver(setting_changed)
def _settings_changed(*, setting, **_kwargs):
    if setting in ("TIME_ZONE", "USE_TZ", "FORMAT_MODULE_PATH", "LANGUAGES", "LANGUAGE_CODE") or setting.endswith("_FORMAT"):
        _WHEN.clear()


def _when(event):
    key = (event.start, event.timezone, translation.get_language())
    written = _WHEN.get(key)
    if written is None:
        if len(_WHEN) >= WHEN_MAX:
            _WHEN.clear()
        written = _WHEN[key] = _write_when(event.start, event.timezone)
    return written


def _write_when(start, zone):
    with timezone.override(zone):
        local = timezone.localtime(start)
        return format_html(
            '<time datetime="{}">{}</time> <abbr class="event-zone" title="{}">{}</abbr>',
            dateformat.format(local, "c"), formats.date_format(local, "DATETIME_FORMAT"), zone,
            dateformat.format(local, "T"))


# A country's name in a language (django-countries' translations change only with a release;
# looking one up took longer than the rest of a card's line): (code, language) → name, bounded
# by the number of countries times the number of languages.
_COUNTRY_NAMES = {}


def _country_name(country, language):
    key = (country.code, language)
    name = _COUNTRY_NAMES.get(key)
    if name is None:
        name = _COUNTRY_NAMES[key] = str(country.name)
    return name


def _where(event, near):
    if event.format == "online":
        place = _safe(gettext("Online"))
    else:
        city = format_html('<span lang="{}">{}</span>, ', event.language, event.city) if event.city else ""
        hybrid = format_html(" · {}", _safe(gettext("and online"))) if event.format == "hybrid" else ""
        place = format_html("{}{}{}", city, _country_name(event.country, translation.get_language()), hybrid)
    if not near:
        return place
    if event.distance_km < 1:
        distance = _safe(gettext("less than 1 km away"))
    else:
        distance = _interpolate(lambda: gettext("%(distance)s km away"), {
            "distance": conditional_escape(floatformat(event.distance_km, "0"))})
    return format_html('{} · <span class="distance">{}</span>', place, distance)


def _translation_link(event, machine_translation, reader_language, url):
    if event.content_language:
        return format_html('<p class="translation-link"><small>{}</small></p>\n  ',
                           _safe(gettext("Translated by the organiser.")))
    if machine_translation and event.language != reader_language:
        show_in = _interpolate(lambda: gettext("Show in %(language)s"), {
            "language": conditional_escape(translation.get_language_info(reader_language)["name_local"])})
        return format_html('<p class="translation-link"><a href="{}?lang={}" rel="nofollow">{}'
                           '<span class="visually-hidden">: {}</span></a></p>',
                           url, reader_language, show_in, event.title)
    return ""


def _status(event):
    if event.status == "cancelled":
        return format_html('<p class="status">{}</p>\n  ', _safe(pgettext("event status", "Cancelled")))
    if event.places_left == 0:
        return format_html('<p class="status">{}</p>\n  ', _safe(gettext("Full – waiting list open")))
    if event.places_left:
        places = _interpolate(
            lambda: ngettext("%(counter)s place left", "%(counter)s places left", event.places_left),
            {"counter": conditional_escape(formats.localize(event.places_left))})
        return format_html('<p class="places">{}</p>', places)
    return ""


def card_html(event, *, near=False, machine_translation=False):
    """One event's card (an <li>), in the active language. `event` as the list gives it:
    organisation selected, `picture`/`picture_alt` (selectors.with_images), `topic_labels`,
    `places_left`, `content_language` (an organiser's translation in place), `distance_km` when
    `near`. `machine_translation`: offer "Show in <reader's language>"."""
    reader_language = translation.get_language()
    url = reverse("events:detail", args=[event.uid])
    text_language = event.content_language or event.language
    labels = mark_safe(", ".join(conditional_escape(label) for label in event.topic_labels))
    topics = format_html('<p class="event-topics">{}</p>', labels) if event.topic_labels else ""
    return format_html(
        '<li class="event-card card{}">\n'
        "  {}\n"
        '  <h3 lang="{}"><a href="{}{}">{}</a></h3>\n'
        '  <p class="event-meta">{}\n'
        "    · {}</p>\n"
        '  <p lang="{}">{}</p>\n'
        "  {}\n"
        '  <p class="event-organiser">{}</p>\n'
        "  {}\n"
        "  {}\n"
        "</li>\n",
        " has-image" if event.picture else "",
        _image(event) if event.picture else "",
        text_language, url, f"?lang={event.content_language}" if event.content_language else "", event.title,
        _when(event),
        _where(event, near),
        text_language, event.summary,
        _translation_link(event, machine_translation, reader_language, url),
        event.organisation.name,
        topics,
        _status(event),
    )


def cards_html(events, *, near=False, machine_translation=False):
    return mark_safe("".join(card_html(event, near=near, machine_translation=machine_translation)
                             for event in events))
