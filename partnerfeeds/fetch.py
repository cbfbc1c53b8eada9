"""Fetching a partner's feed from the open internet, safely.

A feed address is typed by a coordinator and its server is outside our control, so each fetch is
bounded: http(s) only, every address the host name resolves to must be public (no loopback,
private, link-local, multicast or reserved address: the feed must not become a way to read our
own network), the connection goes to the address that was checked (no second DNS answer),
redirects are followed by hand (at most MAX_REDIRECTS, each checked the same way), the whole
fetch within TIMEOUT seconds and at most MAX_BYTES of body. Conditional GET with the validators
of the last answer."""

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import certifi
import urllib3
from django.conf import settings
from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024
TIMEOUT = 20.0
CONNECT_TIMEOUT = 5.0
MAX_REDIRECTS = 3
USER_AGENT = "EYOS partner feed reader (+https://eyos.example/)"
ACCEPT = "text/calendar, application/json, application/ld+json;q=0.9, */*;q=0.1"


class FetchRefused(Exception):
    """The feed could not be read; the message (translated) says why, for the coordinator."""


@dataclass
class Answer:
    status: int  # 200, or 304 (not modified: body empty)
    body: bytes
    content_type: str
    etag: str
    last_modified: str
    url: str  # after redirects


def _allowed_networks():
    return [ipaddress.ip_network(net) for net in getattr(settings, "EYOS_PARTNER_FEED_ALLOWED_NETWORKS", ())]


def check_address(address):
    """Refuses an address of our own or a private network, unless a setting lets it through (the
    tests' local feed server)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if any(ip in network for network in _allowed_networks()):
        return ip
    if not ip.is_global or ip.is_multicast or ip.is_reserved or ip.is_loopback or ip.is_link_local:
        raise FetchRefused(_("The feed's server is on a private or local network address (%(address)s).")
                           % {"address": ip})
    return ip


def resolve(host, port):
    """The addresses of `host`, each checked; FetchRefused if any is not public (a name that
    answers with one public and one private address could be made to use the second)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, ValueError):
        raise FetchRefused(_("The feed's server name could not be found.")) from None
    addresses = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        ip = check_address(sockaddr[0])
        if ip not in addresses:
            addresses.append(ip)
    if not addresses:
        raise FetchRefused(_("The feed's server name could not be found."))
    return addresses


def check_url(url):
    """(scheme, host, port) of an address a feed may have; FetchRefused otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise FetchRefused(_("The feed's address is not valid.")) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchRefused(_("The feed's address must start with https:// or http://."))
    if parts.username or parts.password:
        raise FetchRefused(_("The feed's address must not contain a user name or password."))
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def _pool(scheme, host, ip, port):
    timeout = urllib3.Timeout(connect=CONNECT_TIMEOUT, read=CONNECT_TIMEOUT)
    if scheme == "https":
        # Connect to the checked address, but verify the certificate for the host name (SNI too).
        return urllib3.HTTPSConnectionPool(str(ip), port, timeout=timeout, retries=False, maxsize=1,
                                           cert_reqs="CERT_REQUIRED", ca_certs=certifi.where(),
                                           server_hostname=host, assert_hostname=host)
    return urllib3.HTTPConnectionPool(str(ip), port, timeout=timeout, retries=False, maxsize=1)


def fetch(url, *, etag="", last_modified="", limit=MAX_BYTES, timeout=TIMEOUT):
    """GET `url` within the bounds above. Returns an Answer; raises FetchRefused."""
    deadline = time.monotonic() + timeout
    for _hop in range(MAX_REDIRECTS + 1):
        scheme, host, port = check_url(url)
        ip = resolve(host, port)[0]
        parts = urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        default_port = 443 if scheme == "https" else 80
        headers = {"Host": host if port == default_port else f"{host}:{port}", "User-Agent": USER_AGENT,
                   "Accept": ACCEPT, "Accept-Encoding": "identity"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        pool = _pool(scheme, host, ip, port)
        try:
            response = pool.urlopen("GET", path, headers=headers, redirect=False, preload_content=False,
                                    assert_same_host=False)
        except urllib3.exceptions.SSLError:
            raise FetchRefused(_("The feed's server has no valid certificate for its name.")) from None
        except (urllib3.exceptions.HTTPError, OSError):
            raise FetchRefused(_("The feed's server could not be reached.")) from None
        try:
            if response.status in (301, 302, 303, 307, 308):
                location = response.headers.get("Location", "")
                if not location:
                    raise FetchRefused(_("The feed's server sent a redirect without an address."))
                url = urljoin(url, location)
                continue
            if response.status == 304:
                return Answer(304, b"", "", etag, last_modified, url)
            if response.status != 200:
                raise FetchRefused(_("The feed's server answered with HTTP status %(status)s.")
                                   % {"status": response.status})
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > limit:
                raise FetchRefused(_("The feed is larger than %(size)s MB.") % {"size": limit // (1024 * 1024)})
            body = bytearray()
            try:
                while chunk := response.read1(64 * 1024, decode_content=False):
                    # read1: whatever arrived (within the read timeout), so a server that trickles
                    # meets the deadline instead of filling a whole chunk first.
                    body += chunk
                    if len(body) > limit:
                        raise FetchRefused(_("The feed is larger than %(size)s MB.")
                                           % {"size": limit // (1024 * 1024)})
                    if time.monotonic() > deadline:
                        raise FetchRefused(_("The feed's server took longer than %(seconds)s seconds.")
                                           % {"seconds": int(timeout)})
            except (urllib3.exceptions.HTTPError, OSError):
                raise FetchRefused(_("The feed's server stopped answering.")) from None
            return Answer(200, bytes(body), response.headers.get("Content-Type", ""),
                          response.headers.get("ETag", "")[:500], response.headers.get("Last-Modified", "")[:100],
                          url)
        finally:
            response.release_conn()
            pool.close()
    raise FetchRefused(_("The feed's server redirected more than %(count)s times.") % {"count": MAX_REDIRECTS})
