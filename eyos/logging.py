"""Nothing personal in the logs: no client addresses, no email addresses, no secrets from URLs
(signed links, personal feed tokens, allauth's keys), no search terms.

- `RedactFilter` is installed on Django's request and server loggers (see LOGGING), whose
  4xx/5xx lines name the path: "Bad Request: /en/registrations/confirm/<token>/".
- `GunicornLogger` (eyos/gunicorn_conf.py) writes access lines without the client's address,
  user agent or referrer, and with the path redacted and the query string dropped; its error log
  is redacted too, client IP addresses included.
"""

import logging
import re

# A path segment that is a secret: long, and made of the characters of signed values and random
# tokens. Event ids (UUIDs) and slugs are not secrets and stay readable.
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_SECRETISH = re.compile(r"^[A-Za-z0-9_\-:.=]{20,}$")
# Bounded parts (RFC 5321 limits), so a long string without an address is scanned in linear time.
_EMAIL = re.compile(r"[^\s@/\"'<>]{1,64}@[^\s@/\"'<>]{1,255}\.[A-Za-z]{2,24}")
MAX_LOGGED = 2000  # characters of a path or message that reach the log


def _redact_segment(segment):
    stem, dot, extension = segment.rpartition(".") if segment.endswith(".ics") else (segment, "", "")
    if _SECRETISH.match(stem) and not _UUID.match(stem) and not re.match(r"^[a-z0-9-]+$", stem):
        return "[secret]" + dot + extension
    return segment


# Routes whose next segment(s) are secrets whatever they look like (Django's password-reset keys
# are lower-case base-36 and hex, which would pass for a slug).
_SECRET_ROUTES = re.compile(
    r"(/(?:registrations/(?:confirm|cancel)|organise/join|feeds/me|accounts/confirm-email|"
    r"accounts/password/reset/key|password_reset/confirm|accounts/login/code/confirm)/)([^?#]+)"
)


def redact_path(path):
    """The path without its query string, secrets or addresses."""
    path = (path or "").split("?", 1)[0][:MAX_LOGGED]
    path = _SECRET_ROUTES.sub(
        lambda match: match.group(1) + ("[secret].ics" if match.group(2).endswith(".ics") else "[secret]/"
                                        if match.group(2).endswith("/") else "[secret]"), path)
    path = "/".join(_redact_segment(segment) for segment in path.split("/"))
    return _EMAIL.sub("[email]", path)


def redact_text(text):
    """Every path-like word and every address in a log message."""
    text = _EMAIL.sub("[email]", text[:MAX_LOGGED])
    return re.sub(r"/[^\s\"']*", lambda match: redact_path(match.group(0)), text)


_IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
# Full (eight groups) or compressed ("::") IPv6 addresses; times like 15:42:14 stay.
_IPV6 = re.compile(r"\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b|\b[0-9a-f]{0,4}::[0-9a-f:]*", re.I)


class RedactFilter(logging.Filter):
    """Paths and addresses redacted; with `ips`, client IP addresses too (gunicorn's error log
    names them: "Invalid request from ip=…")."""

    def __init__(self, ips=False):
        super().__init__()
        self.ips = ips

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # a broken record is logged as it is
            return True
        message = redact_text(message)
        if self.ips:
            message = _IPV6.sub("[ip]", _IPV4.sub("[ip]", message))
        record.msg, record.args = message, ()
        return True


class ProbeFilter(logging.Filter):
    """Drops django.request's "Service Unavailable: /readyz" ERROR: a 503 there is the probe
    doing its job (the view logs which dependency failed, as a WARNING), not a server error."""

    PROBES = frozenset({"/readyz"})

    def filter(self, record):
        request = getattr(record, "request", None)
        return not (getattr(record, "status_code", None) == 503 and getattr(request, "path", None) in self.PROBES)


try:
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # gunicorn is a production dependency; tests may import this without it
    _GunicornLogger = object


class GunicornLogger(_GunicornLogger):
    def setup(self, cfg):
        super().setup(cfg)
        for handler in self.error_log.handlers:  # "Invalid request from ip=…", "Error handling request <URI>"
            handler.addFilter(RedactFilter(ips=True))

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = redact_path(environ.get("PATH_INFO", ""))
        atoms.update({
            "h": "-", "a": "-", "f": "-", "q": "", "U": path, "u": "-",
            "r": f"{environ.get('REQUEST_METHOD', '-')} {path} {environ.get('SERVER_PROTOCOL', '-')}",
        })
        # Request headers (cookies, forwarded addresses) are not for the log either.
        return {key: value for key, value in atoms.items() if not key.startswith("{")}
