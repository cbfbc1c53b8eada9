"""How the hostile input tests send what Hypothesis draws: values as they appear on the wire (bytes
that are not UTF-8 stay the bytes they are), raw urlencoded bodies and query strings, and a fresh
start for each example."""

from urllib.parse import quote, quote_from_bytes

from django.core.cache import cache
from hypothesis import event as observe
from hypothesis.control import currently_in_test_context


def encoded(value):
    """A value as it appears in a URL or a urlencoded body; bytes stay the bytes they are."""
    return quote_from_bytes(value, safe="") if isinstance(value, bytes) else quote(value, safe="")


def text(value):
    """What Django makes of a value: bytes that are not UTF-8 become U+FFFD."""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def last(value):
    """What QueryDict.get() makes of a field: its last value, as text."""
    return text(value[-1] if isinstance(value, list) else value)


def fields_of(names, values):
    """(name, value) pairs from a dict of hostile values; a list sends the field repeatedly."""
    return [(name, item) for name in names if name in values
            for item in (values[name] if isinstance(values[name], list) else [values[name]])]


def post_raw(client, path, fields):
    """POST a urlencoded body built by hand (so that invalid UTF-8 reaches Django's parser) and
    follow the redirect to the page that shows the result. Returns the first answer's status and
    the last answer."""
    body = "&".join(f"{encoded(name)}={encoded(value)}" for name, value in fields)
    response = client.post(path, body, content_type="application/x-www-form-urlencoded", follow=True)
    assert response.status_code < 500, (path, response.redirect_chain, response.status_code)
    status = response.redirect_chain[0][1] if response.redirect_chain else response.status_code
    if currently_in_test_context():
        observe(f"status {status}")
    return status, response


def get_raw(client, url, query, **headers):
    """GET with a QUERY_STRING as it came off the wire: a str of byte values (WSGI's latin-1)."""
    if isinstance(query, bytes):
        query = query.decode("latin-1")
    return client.generic("GET", url, QUERY_STRING=query, **headers)


def fresh_example():
    cache.clear()  # rate limits (per IP, per account, allauth's) are not under test here
