"""Fixed-window rate limits counted in the shared cache (Redis in production), so every app
server sees the same counts. Keys hold a hash, never an address or an IP in clear."""

import hashlib

from django.core.cache import cache


def _key(scope, value, window):
    digest = hashlib.sha256(f"{scope}:{value}".encode()).hexdigest()[:32]
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
    # Behind the load balancer, the proxy's address is REMOTE_ADDR; production settings set
    # EYOS_TRUSTED_PROXY_HEADER when the proxy is trusted to set it.
    from django.conf import settings

    header = getattr(settings, "EYOS_TRUSTED_PROXY_HEADER", "")
    if header and request.META.get(header):
        return request.META[header].split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")
