"""Event cards are written in Python (events.cards) for speed: they must be what the template
(templates/events/_event_card.html) writes, character for character, for every kind of card a
visitor can be shown, in several languages."""

import itertools

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from events import selectors
from events.cards import card_html, cards_html
from events.criteria import EventFilters
from tests import factories

pytestmark = pytest.mark.django_db

LANGUAGES = ("en", "fr", "de", "el", "mt", "ga", "bg")


def reference(event, *, near, machine_translation):
    filters = EventFilters(near=(38.7, -9.1)) if near else EventFilters()
    return render_to_string("events/_event_card.html",
                            {"event": event, "filters": filters, "machine_translation": machine_translation})


@pytest.fixture
def events():
    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file

    org = factories.organisation("PT", name='Escola "Tom & Jerry\'s" <Lisboa>')
    picture = get_image_model().objects.create(title="Class", file=get_test_image_file())
    made = []
    for n, (fmt, city, zone) in enumerate([("onsite", "Lisboa", "Europe/Lisbon"), ("onsite", "", "Europe/Paris"),
                                          ("online", "", "Europe/Helsinki"), ("hybrid", "Porto", "Atlantic/Azores")]):
        made.append(factories.published_event(
            org if n < 3 else factories.organisation("TR"), title=f"Café <b>&</b> \"code\" {n}", summary="Learn 'Python' & <friends>", city=city, format=fmt,
            online_url="https://meet.example.org/x" if fmt != "onsite" else "", timezone=zone, language="pt",
            image=picture if n == 0 else None, image_alt="Pupils & a teacher" if n == 0 else ""))
    return selectors.with_images(made)


def variants(event):
    """Every combination of what a card shows besides the event's own fields."""
    for status, places, content_language, labels, distance in itertools.product(
            ("published", "cancelled"), (None, 0, 1, 7, 1500), ("", "fr"), ((), ("Digital & green", "<AI>")),
            (None, 0.4, 12.6, 1234.5)):
        event.status, event.places_left, event.content_language = status, places, content_language
        event.topic_labels, event.distance_km = labels, distance
        yield distance is not None


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_card_is_what_the_template_writes(events, language):
    compared = 0
    with translation.override(language):
        for event in events:
            for near in variants(event):
                for machine_translation in (False, True):
                    expected = reference(event, near=near, machine_translation=machine_translation)
                    assert card_html(event, near=near, machine_translation=machine_translation) == expected
                    compared += 1
    assert compared == 4 * 2 * 5 * 2 * 2 * 4 * 2


def test_the_reader_language_decides_the_machine_translation_offer(events):
    event = events[2]
    event.status, event.places_left, event.content_language, event.topic_labels = "published", None, "", ()
    for language in ("pt", "en"):
        with translation.override(language):
            written = card_html(event, machine_translation=True)
            assert written == reference(event, near=False, machine_translation=True)
            assert ("?lang=" in written) == (language != "pt")


def test_the_list_and_the_upcoming_block_show_the_cards(client, events):
    from campaigns.blocks import render_upcoming_events

    body = client.get("/en/events/?country=PT").content.decode()
    assert 'class="event-card card has-image"' in body and "Café &lt;b&gt;&amp;&lt;/b&gt;" in body
    with translation.override("en"):
        block = render_upcoming_events({"heading": "Next", "country": "PT", "topic": "", "limit": 12})
    assert block.count('<li class="event-card') >= 3 and "Café &lt;b&gt;&amp;&lt;/b&gt; &quot;code&quot; 0" in block
    assert str(cards_html([])) == ""


def test_a_translation_whose_placeholder_does_not_fit_falls_back_to_english(events, monkeypatch):
    """As {% blocktranslate %} does: a translator's typo never breaks the list."""
    from events import cards

    event = events[0]
    event.status, event.places_left, event.content_language, event.topic_labels = "published", 3, "", ()
    with translation.override("fr"):
        def ngettext(singular, plural, n):  # a French catalogue with a typo in the placeholder
            if translation.get_language() == "fr":
                return "%(compteur)s places"
            return singular if n == 1 else plural

        monkeypatch.setattr(cards, "ngettext", ngettext)
        assert '<p class="places">3 places left</p>' in card_html(event)


def test_the_start_is_written_once_per_start_time_zone_and_language(events):
    """events.cards._when keeps what it wrote per (start, time zone, language): events sharing a
    start in other time zones, or read in another language, get their own, as the template writes
    them; the memo is bounded."""
    from events import cards

    cards._WHEN.clear()
    lisbon, paris = events[0], events[1]
    paris.start = lisbon.start
    for language in ("en", "fr", "en"):
        with translation.override(language):
            for event in (lisbon, paris):
                for near in variants(event):
                    assert card_html(event, near=near) == reference(event, near=near, machine_translation=False)
    assert len(cards._WHEN) == 4  # two zones × two languages
    with translation.override("en"):
        assert cards._when(lisbon) != cards._when(paris)
    cards._WHEN.update({("filler", n, "en"): "" for n in range(cards.WHEN_MAX - len(cards._WHEN))})
    with translation.override("de"):
        assert cards._when(lisbon) == cards._write_when(lisbon.start, lisbon.timezone)
    assert len(cards._WHEN) == 1  # emptied when full, then this one kept
