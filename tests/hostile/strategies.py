"""The hostile values Hypothesis draws for the hostile input tests, and the settings they run under
(RELAXED; FEW for the slower form tests)."""

import uuid

from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from .helpers import encoded

# --- Hostile values ------------------------------------------------------------------------------


def _repeated(piece, low, high):
    """`low` to `high` characters, cheaply: a short piece repeated (Hypothesis's buffers stay small)."""
    return st.tuples(piece, st.integers(low, high)).map(lambda t: (t[0] * (t[1] // len(t[0]) + 1))[:t[1]])


CONTROL = st.text(alphabet=st.characters(max_codepoint=0x1F) | st.sampled_from(
    "\x7f\x85\xa0\u2028\u2029\u200b\u200e\u202e\ufeff\ufffd\uffff"), min_size=1, max_size=20)
UNICODE = st.text(alphabet=st.characters(codec="utf-8"), max_size=80)  # no surrogates: they cannot be encoded
SQL = st.sampled_from([
    "'; DROP TABLE events_event; --", "' OR '1'='1", "\" OR 1=1 --", "1; SELECT pg_sleep(10)--",
    "%' UNION SELECT NULL, NULL--", "\\", "\\x00", "%_%", "''''", "a & b | !c", "foo:*", "<->", "(((", "!!",
    "'a':1 & 'b'", "E'\\\\'", "$$", "--", "/*", "*/", ";", "\"\"",
])
HTML = st.sampled_from([
    "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "javascript:alert(1)", "{{ 7|add:7 }}",
    "{% debug %}", "<!--", "]]>", "&#0;&#x0;&amp;", "<a href='data:text/html,x'>x</a>", "</textarea><svg onload=1>",
    "<p style='x'>" * 50, "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a SYSTEM 'file:///etc/passwd'>]>",
    "BEGIN:VEVENT\r\nSUMMARY:x\r\nEND:VEVENT", "=HYPERLINK(\"http://evil.example\")",
])
DATES = st.sampled_from([
    "2026-02-30", "99999-01-01", "-1", "0000-00-00", "2026-13-01", "1900-01-01", "9999-12-31", "2026-02-29T25:61",
    "9999-12-31T23:59", "2031-03-30T02:30", "2031-10-26T02:30", "99999-01-01T10:00", "-0001-01-01T00:00",
    "2031-01-01T10:00:00+99:00", "2031-01-01T10:00:00Z", "yesterday", "1e10", "2031-1-1", "2031-01-01T10:00",
    "2031-01-01T09:00", "2020-01-01T10:00",
    # The ends of Python's calendar: year 1 east of UTC was a 500 in the event form (fixed).
    "0001-01-01", "0001-01-01T00:00", "0001-01-01T00:00:00+14:00",
])
COUNTRIES = st.sampled_from(["XX", "", "../", "ÉÉ", "fr", "FR ", "F", "FRA", "EU", "GB", "\x00", "ZZ", "us",
                             "Fr", "fr\x00", "ＦＲ", "..", "%", "FR\n"])
NUMBERS = st.sampled_from([
    "-1", "0", "1e309", "NaN", "inf", "-inf", "9" * 400, "9" * 5000, "0x10", "1.5", "١٢", "²", " 5 ", "-0",
    "18446744073709551616", "2147483648", "9223372036854775808", "1_000", "+1",
]) | st.integers().map(str)
PIECES = st.sampled_from(["a", "ü", "€", "𝕏", "\x00", "'", "<b>", "9", " ", "\U0010fffd", "x.y"]) | st.text(
    min_size=1, max_size=4)
HUGE = _repeated(PIECES, 10_000, 100_000)
# Paths stay within what an HTTP server accepts in a request line (gunicorn: 4094 bytes).
MAX_PATH_VALUE = 3000
SHORT_TEXT = st.one_of(
    st.text(max_size=300), UNICODE, CONTROL, SQL, HTML, DATES, COUNTRIES, NUMBERS,
    st.lists(st.one_of(st.text(max_size=20), CONTROL, SQL, HTML), min_size=2, max_size=5).map("".join),
    st.sampled_from(["\x00", "%00", "../../etc/passwd", "ü" * 3000, "on", "yes", "true", "delete", " delete "]),
)
HOSTILE_TEXT = SHORT_TEXT | HUGE
# Bytes that are not UTF-8: they reach Django as they are (in a raw body, path or QUERY_STRING).
BAD_BYTES = st.sampled_from([
    b"\xff", b"\xfe\xff", b"\xc0\x80", b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xf4\x90\x80\x80", b"\x80", b"\xe2\x82",
    b"\x00", b"caf\xe9", b"\xf0\x9f\x98", b"\xc3\x28", b"\xef\xbf\xbe",
]) | st.binary(max_size=40)
MIXED_BYTES = st.lists(BAD_BYTES | st.text(max_size=5), max_size=6).map(
    lambda parts: b"".join(part if isinstance(part, bytes) else part.encode() for part in parts))
HOSTILE = st.one_of(HOSTILE_TEXT, BAD_BYTES, MIXED_BYTES)

RELAXED = hypothesis_settings(max_examples=40, deadline=None,
                              suppress_health_check=[HealthCheck.function_scoped_fixture])
FEW = hypothesis_settings(RELAXED, max_examples=25)


# Path values, for every converter a URL uses.

HOSTILE_COUNTRY_CODES = ["XX", "ÉÉ", "..", "fr\x00", "F", "FRA", "eu", "gb", b"\xff", b"fr\xc0\x80", "fr.ics", "ＦＲ"]
HOSTILE_PATH_VALUES = {
    "UUIDConverter": [str(uuid.UUID(int=0)), str(uuid.UUID(int=2**128 - 1)), str(uuid.uuid4()), "not-a-uuid", "%00",
                      b"\xed\xa0\x80", "00000000-0000-0000-0000-00000000000G"],
    "StringConverter": ["\x00", "x" * MAX_PATH_VALUE, "'; DROP TABLE events_event; --", "<script>", b"\xff\xfe",
                        b"\xc0\x80", "..", ".", "a:b:c", "ü" * 400, "%00", "eyJyIjoxfQ:1abc:xyz", "A" * 43],
    "SlugConverter": ["unknown-org", "x" * MAX_PATH_VALUE, "--", "_", "competences-lyon-"],
    "IntConverter": ["0", "9" * 30, "9" * MAX_PATH_VALUE, "00000000001", str(2**63), str(2**64)],
}
HOSTILE_PATH_VALUES["UUIDStrConverter"] = HOSTILE_PATH_VALUES["UUIDConverter"]


def hostile_path_value(converter, param):
    values = st.one_of(SHORT_TEXT, BAD_BYTES, MIXED_BYTES, _repeated(PIECES, 500, MAX_PATH_VALUE),
                       st.sampled_from(HOSTILE_PATH_VALUES[converter]))
    if converter in ("UUIDConverter", "UUIDStrConverter"):
        values = st.uuids().map(str) | values
    if converter == "IntConverter":
        values = st.integers(min_value=0).map(str) | values
    if param == "country":
        values = COUNTRIES | st.sampled_from(HOSTILE_COUNTRY_CODES) | values
    return values.filter(lambda value: value not in ("", b"") and len(encoded(value)) <= MAX_PATH_VALUE)
