"""A feed's items as import rows: the forms of time iCalendar allows, places, topics, JSON."""

import pytest

from partnerfeeds.parse import Defaults, FeedError, parse

DEFAULTS = Defaults(language="fr", country="FR", topics=frozenset({"digital-skills", "green-skills"}))


def ics(*lines):
    body = "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//t//EN", *lines, "END:VCALENDAR"])
    return body.encode()


def one(*lines):
    items = parse(ics("BEGIN:VEVENT", "UID:x@t", "SUMMARY:Atelier", *lines, "END:VEVENT"), "text/calendar", DEFAULTS)
    assert len(items) == 1
    return items[0].row


@pytest.mark.parametrize("lines, start, end, zone", [
    (["DTSTART;TZID=Europe/Berlin:20270310T090000", "DTEND;TZID=Europe/Berlin:20270310T110000"],
     "2027-03-10 09:00", "2027-03-10 11:00", "Europe/Berlin"),
    # UTC: shown in the country's zone (France: CET in March)
    (["DTSTART:20270310T090000Z", "DTEND:20270310T100000Z"], "2027-03-10 10:00", "2027-03-10 11:00", "Europe/Paris"),
    # floating: the country's zone
    (["DTSTART:20270310T090000", "DURATION:PT90M"], "2027-03-10 09:00", "2027-03-10 10:30", "Europe/Paris"),
    # all day, with and without DTEND
    (["DTSTART;VALUE=DATE:20270310", "DTEND;VALUE=DATE:20270312"], "2027-03-10 00:00", "2027-03-12 00:00", "Europe/Paris"),
    (["DTSTART;VALUE=DATE:20270310"], "2027-03-10 00:00", "2027-03-11 00:00", "Europe/Paris"),
    # start only: one hour
    (["DTSTART;TZID=Europe/Paris:20270310T090000"], "2027-03-10 09:00", "2027-03-10 10:00", "Europe/Paris"),
    # an unknown TZID: the country's zone
    (["DTSTART;TZID=Mars/Olympus:20270310T090000"], "2027-03-10 09:00", "2027-03-10 10:00", "Europe/Paris"),
])
def test_times(lines, start, end, zone):
    row = one(*lines)
    assert (row["start"], row["end"], row["timezone"]) == (start, end, zone)


@pytest.mark.parametrize("location, expected", [
    ("Médiathèque\\, 3 rue Neuve\\, 69001 Lyon", ("Médiathèque", "3 rue Neuve", "69001", "Lyon")),
    ("12 Hauptstraße\\, Berlin 10115", ("", "12 Hauptstraße", "10115", "Berlin")),
    ("Tallinn", ("", "Tallinn", "", "Tallinn")),
])
def test_places(location, expected):
    row = one("DTSTART:20270310T090000Z", f"LOCATION:{location}")
    assert (row["venue"], row["address"], row["postcode"], row["city"]) == expected
    assert row["format"] == "onsite"


def test_an_event_without_place_is_online_with_its_link_and_categories_become_known_topics():
    row = one("DTSTART:20270310T090000Z", "URL:https://meet.example/x", "CATEGORIES:Green Skills,Cooking",
              "CATEGORIES:digital-skills")
    assert (row["format"], row["online_url"], row["registration_mode"]) == ("online", "https://meet.example/x", "external")
    assert row["topics"] == "green-skills;digital-skills"
    assert row["language"] == "fr"


def test_text_is_escaped_and_clipped():
    row = one("DTSTART:20270310T090000Z", "SUMMARY:" + "Long " * 100, "DESCRIPTION:<b>bold</b>\\n\\nsecond")
    assert len(row["title"]) <= 200 and row["title"].endswith("…")
    assert row["description"] == "<p>&lt;b&gt;bold&lt;/b&gt;</p><p>second</p>"


def test_repeated_and_missing_uids():
    body = ics("BEGIN:VEVENT", "UID:a", "SUMMARY:First", "DTSTART:20270310T090000Z", "END:VEVENT",
               "BEGIN:VEVENT", "UID:a", "SUMMARY:Second", "DTSTART:20270311T090000Z", "END:VEVENT",
               "BEGIN:VEVENT", "SUMMARY:No uid", "DTSTART:20270311T090000Z", "END:VEVENT")
    items = parse(body, "text/calendar", DEFAULTS)
    assert [(item.uid, item.row["title"]) for item in items] == [("a", "First")]


def test_the_fingerprint_follows_the_values():
    first = parse(ics("BEGIN:VEVENT", "UID:a", "SUMMARY:A", "DTSTART:20270310T090000Z", "END:VEVENT"), "", DEFAULTS)[0]
    same = parse(ics("BEGIN:VEVENT", "UID:a", "SUMMARY:A", "DTSTAMP:20990101T000000Z", "DTSTART:20270310T090000Z",
                     "END:VEVENT"), "", DEFAULTS)[0]
    other = parse(ics("BEGIN:VEVENT", "UID:a", "SUMMARY:B", "DTSTART:20270310T090000Z", "END:VEVENT"), "", DEFAULTS)[0]
    assert first.fingerprint == same.fingerprint != other.fingerprint


@pytest.mark.parametrize("body", [b'[{"uid": "1", "title": "T", "start": "2027-03-10T09:00:00+01:00"}]',
                                  b'{"events": [{"id": 1, "title": "T", "start": "2027-03-10T08:00:00Z"}]}',
                                  b'{"data": [{"uid": "1", "title": "T", "start": "2027-03-10 09:00"}]}'])
def test_json_shapes(body):
    (item,) = parse(body, "application/json", DEFAULTS)
    assert item.row["start"] == "2027-03-10 09:00" and item.row["timezone"] == "Europe/Paris"


@pytest.mark.parametrize("body", [b"[" * 100_000, b'{"results": 5}', b"", b"\x00\x01garbage"])
def test_unreadable_feeds(body):
    with pytest.raises(FeedError):
        parse(body, "application/json", DEFAULTS)


def test_json_items_of_the_wrong_kind_are_skipped_or_reported():
    items = parse(b'[1, "x", {"uid": "a", "title": {"x": 1}, "start": ["bad"]}, {"title": "no uid"}]', "", DEFAULTS)
    assert [item.uid for item in items] == ["a"]
