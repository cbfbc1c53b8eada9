"""`read_many(keys)`: `cache.get_many(keys)` for the page cache's hits and the feeds' 304s, which
are one cache read each and nothing else, answered from this process's memory while Redis says
the keys have not changed.

Why: each of those reads is a round trip to Redis. redis-py 8's command path is heavy (and
Django's backend built a new redis.Redis client for every call until eyos/cache.py kept one per
pool), and the switch to the Redis process and back costs more still on a busy 2-core machine:
together ~0.1-0.3 ms per read, about as much as all of /healthz.

How: Redis's server-assisted client-side caching (Redis >= 6). Each process (and thread) keeps
one RESP3 connection with `CLIENT TRACKING ON`; Redis remembers which keys it read and pushes an
invalidation on that connection as soon as anyone changes one of them (or flushes the database).
Every call first applies the invalidations already received (one non-blocking poll). Redis sends
an invalidation when the write happens, alongside its reply to the writer; it reaches the other
app servers within the network's one-way delay (microseconds on one host), long before the next
request of anyone who saw the writer's response. The process that wrote forgets everything it
remembered (`forget`, called by the page cache's write signals), so its own next request reads
afresh. A remembered value is also read again after MEMO_SECONDS, so nothing is served from
memory for long if Redis stopped answering without closing the connection. Values are shared
between calls: callers must not change them.

Only for what it can do exactly as the cache backend would: one `redis://` server (with an
optional password and database number) and Django's default serializer. Anything else, or a read
while the backend counts an outage (its breaker is open, or Redis answered again but the backend
has not yet run its recovery hooks, which invalidate what was cached before the outage), goes
through the cache backend; so does any error here (this path then rests for REST seconds)."""

import os
import pickle
import select
import socket
import threading
import time
from urllib.parse import unquote, urlsplit

from django.conf import settings

MEMO_SECONDS = 1.0
MEMO_BYTES = 32 * 1024 * 1024
REST = 1.0

_local = threading.local()
_targets = {}
_resting_until = [0.0]


class ProtocolError(Exception):
    pass


class Unsupported(ProtocolError):
    """The server refused the handshake (no RESP3 or no client tracking, e.g. an old Redis or a
    managed one that disables CLIENT): this path is not used for it again."""


class _Incomplete(Exception):
    pass


class _Error(bytes):
    """An error reply."""


class _Push(list):
    """A RESP3 push (out-of-band message)."""


def read_many(keys):
    from django.core.cache import caches

    backend = caches["default"]
    target = _target(backend)
    if target is not None:
        try:
            link = _link(target)
            made = [_made(backend, key) for key in keys]
            values = link.read(made)
        except Unsupported:
            _drop_link()
            target["unsupported"] = True
        except (OSError, ProtocolError, ValueError, pickle.UnpicklingError, EOFError):
            _drop_link()
            _resting_until[0] = time.monotonic() + REST
        else:
            return {key: values[raw] for key, raw in zip(keys, made, strict=True) if values[raw] is not None}
    return backend.get_many(keys)


# The keys as the backend sends them (prefix, version; validated), per process: making and
# validating one took ~2 µs, 45 µs for the 20 registrations versions a list page's hit reads.
# Bounded: emptied when full.
_MADE = {}
MADE_MAX = 20_000


def _made(backend, key):
    memo = (backend.key_prefix, backend.version, key)
    made = _MADE.get(memo)
    if made is None:
        if len(_MADE) >= MADE_MAX:
            _MADE.clear()
        made = _MADE[memo] = backend.make_and_validate_key(key).encode()
    return made


def forget():
    """Drop what this thread remembers (after this process wrote a version itself, so that its
    own next read cannot come before Redis's invalidation does)."""
    link = getattr(_local, "link", None)
    if link is not None:
        link.memo.clear()
        link.memo_bytes = 0


def _loads(data):
    # django.core.cache.backends.redis.RedisSerializer: integers plain, everything else pickled.
    try:
        return int(data)
    except ValueError:
        return pickle.loads(data)


def _target(backend):
    from django.core.cache.backends.redis import RedisCache

    if not isinstance(backend, RedisCache) or time.monotonic() < _resting_until[0]:
        return None
    available = getattr(backend, "_available", None)  # eyos.cache.ResilientRedisCache
    state = getattr(backend, "_state", None)
    if (available is not None and not available()) or getattr(state, "outage_started", None) is not None:
        _drop_link()
        return None
    config = settings.CACHES["default"]
    location, options = config.get("LOCATION"), config.get("OPTIONS", {})
    if not isinstance(location, str):
        return None
    key = (location, options.get("socket_connect_timeout"), options.get("socket_timeout"))
    if key not in _targets:
        _targets[key] = _parse_location(location, options)
    target = _targets[key]
    return None if target is None or target.get("unsupported") else target


def _parse_location(location, options):
    if any(name in options for name in ("serializer", "parser_class", "pool_class")) or "," in location \
            or ";" in location:
        return None
    parts = urlsplit(location)
    if parts.scheme != "redis" or parts.query or not parts.hostname:
        return None
    path = parts.path.strip("/")
    if path and not path.isdigit():
        return None
    return {
        "address": (parts.hostname, parts.port or 6379),
        "db": int(path or 0),
        "username": unquote(parts.username) if parts.username and parts.password else None,
        "password": unquote(parts.password or parts.username or "") or None,
        "connect_timeout": options.get("socket_connect_timeout"),
        "timeout": options.get("socket_timeout") or 5.0,
    }


def _link(target):
    link = getattr(_local, "link", None)
    if link is not None and link.target is target and link.pid == os.getpid():
        return link
    _drop_link()
    _local.link = _Link(target)
    return _local.link


def _drop_link():
    link = getattr(_local, "link", None)
    _local.link = None
    if link is not None:
        link.close()


class _Link:
    """One RESP3 connection with client tracking on, and what was read on it."""

    def __init__(self, target):
        self.target, self.pid = target, os.getpid()
        self.buf, self.pos = bytearray(), 0
        self.memo, self.memo_bytes = {}, 0  # raw key → (value, read at, size)
        self.sock = socket.create_connection(target["address"], timeout=target["connect_timeout"])
        try:
            self.sock.settimeout(target["timeout"])
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.poller = select.poll()
            self.poller.register(self.sock, select.POLLIN)
            hello = [b"HELLO", b"3"]
            if target["password"]:
                hello += [b"AUTH", (target["username"] or "default").encode(), target["password"].encode()]
            try:
                self._call(hello)
            except ProtocolError as error:  # Redis < 6 knows no HELLO (or no RESP3)
                if "NOPROTO" in str(error) or "unknown command" in str(error).lower():
                    raise Unsupported(str(error)) from None
                raise
            if target["db"]:
                self._call([b"SELECT", str(target["db"]).encode()])
            try:
                self._call([b"CLIENT", b"TRACKING", b"ON"])
            except ProtocolError as error:
                raise Unsupported(str(error)) from None
        except BaseException:
            self.close()
            raise

    def close(self):
        if self.pid == os.getpid():
            try:
                self.sock.close()
            except OSError:
                pass
        self.memo.clear()

    def read(self, keys):
        self._drain()
        now = time.monotonic()
        found, missing = {}, []
        for key in keys:
            hit = self.memo.get(key)
            if hit is not None and now - hit[1] < MEMO_SECONDS:
                found[key] = hit[0]
            else:
                missing.append(key)
        if missing:
            values = self._call([b"MGET", *missing])
            if not isinstance(values, list) or len(values) != len(missing):
                raise ProtocolError("unexpected reply to MGET")
            read_at = time.monotonic()
            if self.memo_bytes > MEMO_BYTES:
                self.memo.clear()
                self.memo_bytes = 0
            for key, raw in zip(missing, values, strict=True):
                value = None if raw is None else _loads(raw)
                self._forget(key)
                size = len(raw or b"") + len(key)
                self.memo[key] = (value, read_at, size)
                self.memo_bytes += size
                found[key] = value
        self._compact()
        return found

    # --- protocol ----------------------------------------------------------------------------

    def _call(self, args):
        self.sock.sendall(b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(arg), arg) for arg in args))
        while True:
            try:
                value, self.pos = self._parse(self.pos)
            except _Incomplete:
                self._receive()
                continue
            if isinstance(value, _Push):
                self._apply(value)
                continue
            if isinstance(value, _Error):
                raise ProtocolError(value.decode(errors="replace"))
            return value

    def _drain(self):
        """Apply the invalidations received so far; never waits."""
        while self.poller.poll(0):
            self._receive()
        while self.pos < len(self.buf):
            try:
                value, pos = self._parse(self.pos)
            except _Incomplete:
                break
            self.pos = pos
            if not isinstance(value, _Push):
                raise ProtocolError("a reply nobody asked for")
            self._apply(value)

    def _receive(self):
        chunk = self.sock.recv(262144)
        if not chunk:
            raise ConnectionError("Redis closed the connection")
        self.buf += chunk

    def _compact(self):
        if self.pos:
            del self.buf[:self.pos]
            self.pos = 0

    def _apply(self, push):
        if len(push) == 2 and push[0] == b"invalidate":
            if push[1] is None:  # FLUSHDB, FLUSHALL
                self.memo.clear()
                self.memo_bytes = 0
            else:
                for key in push[1]:
                    self._forget(bytes(key))

    def _forget(self, key):
        old = self.memo.pop(key, None)
        if old is not None:
            self.memo_bytes -= old[2]

    def _parse(self, pos):
        """One RESP3 value at `pos`: (value, next position); _Incomplete if not all received."""
        buf = self.buf
        end = buf.find(b"\r\n", pos)
        if end < 0:
            raise _Incomplete
        kind, head, pos = buf[pos], bytes(buf[pos + 1:end]), end + 2
        if kind in b"$=!":  # blob string, verbatim string, blob error
            size = int(head)
            if size < 0:
                return None, pos
            if len(buf) < pos + size + 2:
                raise _Incomplete
            data = bytes(buf[pos:pos + size])
            pos += size + 2
            if kind == ord("!"):
                return _Error(data), pos
            return (data[4:] if kind == ord("=") else data), pos
        if kind in b"*~>%|":  # array, set, push, map, attribute
            size = int(head)
            if size < 0:
                return None, pos
            items = []
            for _ in range(size * 2 if kind in b"%|" else size):
                item, pos = self._parse(pos)
                items.append(item)
            if kind == ord("|"):  # attributes precede the reply they describe
                return self._parse(pos)
            return (_Push(items) if kind == ord(">") else items), pos
        if kind == ord("+"):
            return head, pos
        if kind == ord("-"):
            return _Error(head), pos
        if kind == ord(":"):
            return int(head), pos
        if kind == ord("_"):
            return None, pos
        if kind == ord("#"):
            return head == b"t", pos
        if kind in b",(":
            return head, pos
        raise ProtocolError(f"unknown RESP3 type {chr(kind)!r}")
