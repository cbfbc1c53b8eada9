"""Fixed-window rate limits counted in the shared cache (Redis in production), so every app
server sees the same counts. Keys hold a keyed hash (HMAC with SECRET_KEY), never an address or
an IP in clear: a plain hash of an IPv4 address or of a known email is easily reversed."""

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache


def _key(scope, value, window):
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{scope}:{value}".encode(), hashlib.sha256).hexdigest()[:32]
    return f"eyos:rl:{scope}:{window}:{digest}"


def hit(scope, value, *, limit, window):
    """Count one attempt; True while the caller is within the limit."""
    if not value:
        return True
    key = _key(scope, value, window)
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        count = 1
    return count <= limit


def client_ip(request):
    """The visitor's address. Behind N trusted proxies (EYOS_TRUSTED_PROXIES=N) it is the entry the
    outermost trusted proxy appended to X-Forwarded-For, counted from the right: entries further
    left were written by the client and can be forged."""
    from django.conf import settings

    proxies = settings.EYOS_TRUSTED_PROXIES
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")
