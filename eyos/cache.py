"""The shared cache (Redis) as a cache, never as a dependency: when Redis is unreachable the site
keeps answering from the database.

Django's RedisCache raises `redis.exceptions.ConnectionError` from every call while Redis is down,
which turned every page that reads the cache into a 500. `ResilientRedisCache` instead:

- gives up quickly (short connect and socket timeouts, set in settings);
- treats an unreachable server as a miss: reads return the default, writes are dropped;
- stops trying for `RETRY_AFTER` seconds after a failure (a circuit breaker), so a page that
  reads the cache thirty times pays one timeout, not thirty, and then nothing until the retry;
- keeps counters that must not fail open (rate limits, whose keys start with one of
  `LOCAL_FALLBACK_PREFIXES`) in this process's memory meanwhile: limits still hold, per process,
  instead of letting every sign-in or registration attempt through;
- remembers that it dropped a write (a data-version bump, say) and, once Redis answers again,
  calls the `RECOVERY_HOOKS`, so that nothing cached before the outage is served as current
  after it;
- logs the start and the end of each outage (not every error) and counts errors
  (`outage_stats()`, shown by /readyz).

Errors other than an unreachable server (a wrong type, a bug) still raise.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.module_loading import import_string

logger = logging.getLogger("eyos.cache")

# One breaker per Redis location and process: Django makes a backend object per thread.
_state_lock = threading.Lock()
_states = {}


class _State:
    def __init__(self):
        self.open_until = 0.0  # monotonic time before which Redis is not tried
        self.outage_started = None  # wall-clock time of the first failure of the current outage
        self.errors = 0  # errors since the process started
        self.outages = 0
        self.lost_writes = False  # a write was dropped during the current outage


def _unreachable_errors():
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's client, keeping one `redis.Redis` per connection pool. Django's makes a new one
    for every command, and redis-py's constructor fills a table of ~200 response callbacks each
    time: a third of a millisecond per cache read, about as much as Redis itself took (a page
    after a change read the cache ten times). A `redis.Redis` on a pool is safe to share between
    threads: each command takes a connection from the pool."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS", {}))
        self.retry_after = float(options.pop("RETRY_AFTER", 5))
        self.fallback_prefixes = tuple(options.pop("LOCAL_FALLBACK_PREFIXES", ()))
        self.recovery_hooks = tuple(options.pop("RECOVERY_HOOKS", ()))
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
        self._errors = _unreachable_errors()
        with _state_lock:
            self._state = _states.setdefault(str(server), _State())
        # LocMemCache objects of the same name share their storage within the process.
        self._local = LocMemCache(f"eyos-fallback:{server}", {"OPTIONS": {"MAX_ENTRIES": 20000}})

    # --- breaker -------------------------------------------------------------------------------

    def _available(self):
        return time.monotonic() >= self._state.open_until

    def _failed(self, error, *, write):
        state = self._state
        with _state_lock:
            state.errors += 1
            state.open_until = time.monotonic() + self.retry_after
            state.lost_writes = state.lost_writes or write
            first = state.outage_started is None
            if first:
                state.outage_started = time.time()
                state.outages += 1
        if first:
            logger.warning(
                "Cache unreachable (%s); serving from the database, retrying every %ss",
                type(error).__name__, self.retry_after,
            )

    def _succeeded(self):
        state = self._state
        if state.outage_started is None:
            return
        with _state_lock:
            started, lost = state.outage_started, state.lost_writes
            state.outage_started, state.lost_writes = None, False
        if started is None:
            return
        logger.warning("Cache reachable again after %.1fs", time.time() - started)
        if lost:
            for hook in self.recovery_hooks:
                try:
                    import_string(hook)()
                except Exception:  # a hook must not break the request that noticed the recovery
                    logger.exception("Cache recovery hook %s failed", hook)

    def _local_key(self, key):
        return bool(self.fallback_prefixes) and str(key).startswith(self.fallback_prefixes)

    def _redis(self, name, *args, write, **kwargs):
        """(True, result) if Redis answered `name(*args)`; (False, None) if it could not be asked
        (breaker open) or did not answer."""
        if not self._available():
            return False, None
        try:
            result = getattr(super(), name)(*args, **kwargs)
        except self._errors as error:
            self._failed(error, write=write)
            return False, None
        self._succeeded()
        return True, result

    def _call(self, name, key, *args, write, miss, **kwargs):
        """Redis's answer if it gives one; else the local fallback for rate-limit keys, or `miss`
        (a value, or an exception to raise) for everything else."""
        local = self._local_key(key)
        answered, result = self._redis(name, key, *args, write=write and not local, **kwargs)
        if answered:
            return result
        if local:
            return getattr(self._local, name)(key, *args, **kwargs)
        if write:
            self._state.lost_writes = True
        if isinstance(miss, BaseException):
            raise miss
        return miss

    # --- the cache API -------------------------------------------------------------------------

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version=version, write=False, miss=default)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version=version, write=True, miss=False)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, version=version, write=True, miss=None)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version=version, write=True, miss=False)

    def delete(self, key, version=None):
        return self._call("delete", key, version=version, write=True, miss=False)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version=version, write=False, miss=False)

    def incr(self, key, delta=1, version=None):
        # Callers already handle a missing key (ValueError) by starting afresh.
        return self._call("incr", key, delta, version=version, write=True,
                          miss=ValueError(f"Key '{key}' not found (cache unreachable)"))

    def get_many(self, keys, version=None):
        keys = list(keys)
        answered, result = self._redis("get_many", keys, version=version, write=False)
        if answered:
            return result
        return self._local.get_many([key for key in keys if self._local_key(key)], version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        answered, result = self._redis("set_many", data, timeout, version=version, write=True)
        if answered:
            return result
        self._state.lost_writes = True
        return list(data)  # Django's contract: the keys that were not stored

    def add_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        """`add()` for several keys in one round trip (SET NX each, in a pipeline): {key: whether
        this call stored it}, or None when Redis could not be asked (nothing is then known to be
        stored). Django's cache API has no such call; events.pagecache uses it when present."""
        if not self._available():
            self._state.lost_writes = True
            return None
        keys = list(data)
        try:
            client = self._cache.get_client(write=True)
            backend_timeout = self.get_backend_timeout(timeout)
            pipeline = client.pipeline(transaction=False)
            for key in keys:
                value = self._cache._serializer.dumps(data[key])
                pipeline.set(self.make_and_validate_key(key, version=version), value, nx=True, ex=backend_timeout)
            stored = pipeline.execute()
        except self._errors as error:
            self._failed(error, write=True)
            return None
        self._succeeded()
        return {key: bool(result) for key, result in zip(keys, stored)}

    def delete_many(self, keys, version=None):
        keys = list(keys)
        answered, _result = self._redis("delete_many", keys, version=version, write=True)
        if not answered:
            self._state.lost_writes = True

    def clear(self):
        self._local.clear()
        return super().clear()

    # --- health --------------------------------------------------------------------------------

    def ping(self):
        """True if Redis answers now (ignores the breaker; used by /readyz)."""
        try:
            client = self._cache.get_client(write=True)
            client.ping()
        except self._errors as error:
            self._failed(error, write=False)
            return False
        self._state.open_until = 0.0
        self._succeeded()
        return True

    def outage_stats(self):
        state = self._state
        return {
            "errors": state.errors,
            "outages": state.outages,
            "down_since": state.outage_started,
        }
