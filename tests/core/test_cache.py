"""The Redis cache keeps one client per connection pool (not one per call) and still works."""

import pytest
from django.core.cache import caches
from django.test import override_settings


@pytest.mark.redis
def test_the_redis_cache_reuses_its_client_and_shares_values(settings):
    import uuid

    from core.cache import RedisCache

    location = settings.REDIS_URL
    prefix = f"t-{uuid.uuid4().hex[:8]}"
    config = {"default": {"BACKEND": "core.cache.RedisCache", "LOCATION": location, "KEY_PREFIX": prefix}}
    with override_settings(CACHES=config):
        cache = caches.create_connection("default")
        assert isinstance(cache, RedisCache)
        assert cache.add("k", 1, 30) and not cache.add("k", 2, 30)
        assert cache.incr("k", 4) == 5 and cache.get("k") == 5
        first = cache._cache.get_client(write=True)
        assert cache._cache.get_client() is first  # one server: reads and writes share it
        other = caches.create_connection("default")  # another worker, the same Redis
        assert other.get("k") == 5
        cache.delete("k")
        assert other.get("k") is None
