"""Negative control for tests/ops/test_faults.py: production settings with Django's own Redis
cache backend instead of eyos.cache.ResilientRedisCache, as EYOS had it before. With Redis down,
every page that reads the cache fails."""

from eyos.settings.production import *  # noqa: F403
from eyos.settings.production import REDIS_URL

CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                      "KEY_PREFIX": "eyos"}}
