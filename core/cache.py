"""Django's Redis cache with one redis-py client per connection pool.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every operation, and
redis-py 6 fills a few hundred response callbacks in each constructor: about 0.4 ms of CPU per
cache call, four calls per plate read (camera version, rate limit add and incr, matching flag),
a third of a read's CPU. A client over a pool is thread-safe and survives forks (the pool
checks its pid), so one per pool serves the process.

``DegradingRedisCache`` (the one settings use) also serves the pages while Redis is down.
"""

from __future__ import annotations

import logging
import threading
import time

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient

log = logging.getLogger(__name__)


class _ClientPerPool(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(self._servers[index], **self._pool_options)
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ClientPerPool


class DegradingRedisCache(RedisCache):
    """``RedisCache`` that becomes no cache while Redis does not answer, instead of failing the request.

    Every read is a miss, every write does nothing, ``add`` says it stored (so a flag set with ``add``
    lets its caller through: repeat work, never lost work), ``incr``/``decr`` find no key (``ValueError``,
    as for an expired key). What the cache holds is only ever a copy or a hint: dashboard figures, the
    cameras' version, rate-limit windows, the matching flag. After a failure Redis is left alone for
    ``RETRY_SECONDS`` (a dead address would cost every call a connect time-out), and one warning per
    ``LOG_SECONDS`` says so. Only connection errors and time-outs degrade; a wrong command still raises.
    """

    RETRY_SECONDS = 2.0
    LOG_SECONDS = 60.0

    def __init__(self, server, params):
        params = {**params, "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1, **params.get("OPTIONS", {})}}
        super().__init__(server, params)
        self._down_until = 0.0
        self._logged_at = -self.LOG_SECONDS
        self._lock = threading.Lock()

    def _call(self, fallback, method, *args, **kwargs):
        if time.monotonic() < self._down_until:
            return fallback()
        try:
            return method(*args, **kwargs)
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
            now = time.monotonic()
            with self._lock:
                self._down_until = now + self.RETRY_SECONDS
                if now - self._logged_at >= self.LOG_SECONDS:
                    self._logged_at = now
                    log.warning("cache unavailable, running without it: %s: %s", type(exc).__name__, exc)
            return fallback()

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(lambda: True, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call(lambda: default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(lambda: None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(lambda: False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._call(lambda: False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._call(dict, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._call(lambda: False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        return self._call(_no_key(key), super().incr, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(lambda: list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call(lambda: None, super().delete_many, keys, version)

    def clear(self):
        return self._call(lambda: False, super().clear)


def _no_key(key):
    def fallback():
        raise ValueError(f"Key '{key}' not found (cache unavailable)")

    return fallback
