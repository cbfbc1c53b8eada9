"""Dates, times and numbers in each of the 24 languages, as the templates write them, compared
with the local form written out by hand: day before month where the language puts it there, the
24-hour clock, month names in the case and capitalisation the language uses in a date (genitive
in Czech, Greek, Croatian, Polish, Slovak, Slovenian; lower case in Bulgarian, Italian,
Portuguese, Romanian), the language's decimal sign and thousands separator. Django has no formats
for Maltese and incomplete ones for Bulgarian, Estonian and Irish (US dates, a 12-hour clock);
eyos/formats/<language>/ completes or corrects them, locale_overrides/ the month names."""

import html
import re
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.conf import settings
from django.template import Context, Template
from django.utils import formats, translation

from tests import factories
from tests.factories import next_year
from tests.pages import page

NB = "\xa0"  # no-break space: a number's groups never end up on two lines

# The same moment everywhere: Sunday 6 December 2026, 18:00 in Brussels. Columns:
# date:"DATETIME_FORMAT" | date:"DATE_FORMAT" | date:"SHORT_DATE_FORMAT" | date:"SHORT_DATETIME_FORMAT"
# | time (09:05) | date:"YEAR_MONTH_FORMAT" (charts) | floatformat:"2g" (1234567.5) | localize (0.75)
EXPECTED = {
    "bg": ["6 декември 2026 г., 18:00", "6 декември 2026 г.", "06.12.2026 г.", "06.12.2026 г., 18:00",
           "09:05", "декември 2026 г.", f"1{NB}234{NB}567,50", "0,75"],
    "cs": ["6. prosince 2026 18:00", "6. prosince 2026", "06.12.2026", "06.12.2026 18:00",
           "9:05", "prosinec 2026", f"1{NB}234{NB}567,50", "0,75"],
    "da": ["6. december 2026 18:00", "6. december 2026", "06.12.2026", "06.12.2026 18:00",
           "09:05", "december 2026", "1.234.567,50", "0,75"],
    "de": ["6. Dezember 2026, 18:00", "6. Dezember 2026", "06.12.2026", "06.12.2026 18:00",
           "09:05", "Dezember 2026", "1.234.567,50", "0,75"],
    "el": ["6 Δεκεμβρίου 2026, 18:00", "6 Δεκεμβρίου 2026", "06/12/2026", "06/12/2026 18:00",
           "09:05", "Δεκέμβριος 2026", "1.234.567,50", "0,75"],
    "en": ["6 December 2026, 18:00", "6 December 2026", "06/12/2026", "06/12/2026 18:00",
           "09:05", "December 2026", "1,234,567.50", "0.75"],
    "es": ["6 de diciembre de 2026 a las 18:00", "6 de diciembre de 2026", "06/12/2026", "06/12/2026 18:00",
           "09:05", "diciembre de 2026", f"1{NB}234{NB}567,50", "0,75"],
    "et": ["6. detsember 2026, 18:00", "6. detsember 2026", "06.12.2026", "06.12.2026 18:00",
           "9:05", "detsember 2026", f"1{NB}234{NB}567,50", "0,75"],
    "fi": ["6. joulukuuta 2026 kello 18.00", "6. joulukuuta 2026", "6.12.2026", "6.12.2026 18.00",
           "9.05", "joulukuu 2026", f"1{NB}234{NB}567,50", "0,75"],
    "fr": ["6 décembre 2026 18:00", "6 décembre 2026", "06/12/2026", "06/12/2026 18:00",
           "09:05", "décembre 2026", f"1{NB}234{NB}567,50", "0,75"],
    "ga": ["6 Nollaig 2026, 18:00", "6 Nollaig 2026", "06/12/2026", "06/12/2026 18:00",
           "09:05", "Nollaig 2026", "1,234,567.50", "0.75"],
    "hr": ["6. prosinca 2026. 18:00", "6. prosinca 2026.", "6.12.2026.", "6.12.2026. 18:00",
           "09:05", "prosinac 2026.", "1.234.567,50", "0,75"],
    "hu": ["2026. december 6. 18:00", "2026. december 6.", "2026.12.06.", "2026.12.06. 18:00",
           "09:05", "2026. december", f"1{NB}234{NB}567,50", "0,75"],
    "it": ["6 dicembre 2026, 18:00", "6 dicembre 2026", "06/12/2026", "06/12/2026 18:00",
           "09:05", "dicembre 2026", "1.234.567,50", "0,75"],
    "lt": ["2026 m. gruodžio 6 d., 18:00", "2026 m. gruodžio 6 d.", "2026-12-06", "2026-12-06 18:00",
           "09:05", "2026 m. gruodis", f"1{NB}234{NB}567,50", "0,75"],
    "lv": ["2026. gada 6. decembris, 18:00", "2026. gada 6. decembris", "6.12.2026", "6.12.2026 18:00",
           "09:05", "2026. g. decembris", f"1{NB}234{NB}567,50", "0,75"],
    "mt": ["6 ta' Diċembru 2026, 18:00", "6 ta' Diċembru 2026", "06/12/2026", "06/12/2026 18:00",
           "09:05", "Diċembru 2026", "1,234,567.50", "0.75"],
    "nl": ["6 december 2026 18:00", "6 december 2026", "6-12-2026", "6-12-2026 18:00",
           "09:05", "december 2026", "1.234.567,50", "0,75"],
    "pl": ["6 grudnia 2026 r., 18:00", "6 grudnia 2026 r.", "06.12.2026", "06.12.2026 18:00",
           "09:05", "grudzień 2026", f"1{NB}234{NB}567,50", "0,75"],
    "pt": ["6 de dezembro de 2026 às 18:00", "6 de dezembro de 2026", "06/12/2026", "06/12/2026 18:00",
           "09:05", "dezembro de 2026", f"1{NB}234{NB}567,50", "0,75"],
    "ro": ["6 decembrie 2026, 18:00", "6 decembrie 2026", "06.12.2026", "06.12.2026, 18:00",
           "09:05", "decembrie 2026", "1.234.567,50", "0,75"],
    "sk": ["6. decembra 2026 18:00", "6. decembra 2026", "06.12.2026", "06.12.2026 18:00",
           "9:05", "december 2026", f"1{NB}234{NB}567,50", "0,75"],
    "sl": ["6. decembra 2026, 18:00", "6. decembra 2026", "6. 12. 2026", "6. 12. 2026 18:00",
           "09:05", "december 2026", "1.234.567,50", "0,75"],
    "sv": ["6 december 2026 18:00", "6 december 2026", "2026-12-06", "2026-12-06 18:00",
           "09:05", "december 2026", f"1{NB}234{NB}567,50", "0,75"],
}

TEMPLATE = Template(
    '{% load l10n %}{{ when|date:"DATETIME_FORMAT" }}|{{ when|date:"DATE_FORMAT" }}|'
    '{{ when|date:"SHORT_DATE_FORMAT" }}|{{ when|date:"SHORT_DATETIME_FORMAT" }}|{{ morning|time }}|'
    '{{ when|date:"YEAR_MONTH_FORMAT" }}|{{ amount|floatformat:"2g" }}|{{ share|localize }}'
)
WHEN = datetime(2026, 12, 6, 17, 0, tzinfo=ZoneInfo("UTC"))  # 18:00 in Brussels (TIME_ZONE)


def test_every_language_is_written_out():
    assert sorted(EXPECTED) == sorted(code for code, _name in settings.LANGUAGES)


@pytest.mark.parametrize("language", sorted(EXPECTED))
def test_dates_times_and_numbers_read_as_the_language_writes_them(language):
    with translation.override(language):
        rendered = TEMPLATE.render(Context({
            "when": WHEN, "morning": time(9, 5), "amount": Decimal("1234567.5"), "share": Decimal("0.75"),
        })).split("|")
    rendered = [html.unescape(part) for part in rendered]  # "ta'" is written "ta&#x27;" in HTML
    assert rendered == EXPECTED[language]


@pytest.mark.parametrize("language", sorted(EXPECTED))
def test_no_twelve_hour_clock_and_weeks_start_on_monday(language):
    for name in ("DATETIME_FORMAT", "TIME_FORMAT", "SHORT_DATETIME_FORMAT"):
        unescaped = re.sub(r"\\.", "", formats.get_format(name, language))  # "\a \l\a\s" is text
        assert not set(unescaped) & set("aAfghP"), (language, name)
    assert formats.get_format("FIRST_DAY_OF_WEEK", language) == 1
    # Forms read dates the way the language writes them, not the American way.
    assert "%m/%d/%Y" not in formats.get_format("DATE_INPUT_FORMATS", language)


@pytest.mark.django_db
def test_a_page_shows_its_dates_in_the_visitors_language(client):
    from events.models import Event

    event = Event.objects.filter(status="published").order_by("start").first()
    for language, local in (("bg", r"\d{1,2} [а-я]+ \d{4} г\., \d\d:\d\d"), ("mt", r"\d{1,2} ta' \w+ \d{4}, \d\d:\d\d"),
                            ("ga", r"\d{1,2} [\w ]+ \d{4}, \d\d:\d\d"), ("de", r"\d{1,2}\. \w+ \d{4}, \d\d:\d\d")):
        main = html.unescape(client.get(f"/{language}/events/{event.uid}/").content.decode().split("<main", 1)[1])
        assert re.search(f"<time [^>]+>{local}</time>", main), language
        for american in ("p.m.", "a.m.", "след обяд", "i.n.", "r.n."):
            assert american not in main, (language, american)


# English dates the European way: day before month, the 24-hour clock (eyos/formats/en/).


@pytest.mark.django_db
def test_english_dates_are_day_month_and_24_hours():
    moment = datetime(2027, 3, 10, 18, 0)
    with translation.override("en"):
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "10/03/2027 18:00"
        assert formats.date_format(moment, "DATETIME_FORMAT") == "10 March 2027, 18:00"
        assert formats.date_format(date(2027, 1, 22), "DATE_FORMAT") == "22 January 2027"
        assert formats.date_format(date(2027, 1, 22), "SHORT_DATE_FORMAT") == "22/01/2027"
        assert formats.time_format(moment.time(), "TIME_FORMAT") == "18:00"
        assert formats.get_format("FIRST_DAY_OF_WEEK") == 1
        assert formats.get_format("DATE_INPUT_FORMATS")[0] == "%Y-%m-%d"
        assert formats.get_format("DATETIME_INPUT_FORMATS")[0].startswith("%Y-%m-%d")
        assert "%m/%d/%Y" not in formats.get_format("DATE_INPUT_FORMATS")
        assert forms.DateField().clean("10/03/2027") == date(2027, 3, 10)
        assert forms.DateField().clean("2027-03-10") == date(2027, 3, 10)
    with translation.override("de"):  # other languages keep Django's own formats
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "10.03.2027 18:00"


@pytest.mark.django_db
def test_the_english_event_page_shows_european_dates(client):
    start = datetime(next_year(), 3, 10, 18, 0, tzinfo=ZoneInfo("Europe/Paris"))
    event = factories.published_event(factories.organisation("FR"), start=start, end=start.replace(hour=20))
    html = page(client.get(f"/en/events/{event.uid}/"))
    assert f"10 March {start.year}, 18:00" in html and "p.m." not in html
