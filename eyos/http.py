"""Reads from other services (the geocoder, machine translation): bounded in time and size, so
a slow, trickling or oversized answer costs a task a few seconds, never a worker."""

import socket
import time
import urllib.error
import urllib.request


class FetchError(Exception):
    """The service could not be read; the message says why in a few words."""


def read_bounded(request, *, limit, timeout, opener=None):
    """The body of `request` (a urllib Request): each read within `timeout` seconds (the socket
    timeout), all of them within `timeout` too (a server that trickles), at most `limit` bytes."""
    deadline = time.monotonic() + timeout
    try:
        with (opener.open if opener else urllib.request.urlopen)(request, timeout=timeout) as response:
            body = b""
            while len(body) <= limit:
                chunk = response.read(16 * 1024)
                if not chunk:
                    break
                body += chunk
                if time.monotonic() > deadline:
                    raise FetchError("too slow")
    except urllib.error.HTTPError as error:
        raise FetchError(f"HTTP {error.code}")
    except (urllib.error.URLError, socket.timeout, TimeoutError, OSError, ValueError) as error:
        raise FetchError(f"unreachable: {error}")
    if len(body) > limit:
        raise FetchError("answer too large")
    return body
