"""With Redis down the cache is no cache (``core.cache.DegradingRedisCache``): the pages, the camera API
and the rate limit work on, and the outage is logged once, not once per call.

The Redis here is an address where nothing listens: every connection is refused, as when redis-server
has stopped."""

import datetime as dt
import logging
import socket

import pytest
from django.core.cache import cache, caches
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from anpr import services as anpr_services
from anpr.models import PlateRead
from core.cache import DegradingRedisCache


def _dead_redis() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"  # closed again: connections are refused


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {"default": {"BACKEND": "core.cache.DegradingRedisCache", "LOCATION": _dead_redis()}}
    yield caches["default"]


def test_every_read_is_a_miss_every_write_does_nothing_and_it_is_logged_once(redis_down, caplog):
    assert isinstance(redis_down, DegradingRedisCache)
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        assert cache.get("k", "default") == "default"
        cache.set("k", 1, 30)
        assert cache.get("k") is None and cache.get_many(["k"]) == {} and not cache.has_key("k")
        assert cache.add("flag", 1, 30)  # "stored": a flag set with add lets its caller through
        assert cache.get_or_set("figures", lambda: 42, 30) == 42  # computed each time
        with pytest.raises(ValueError):
            cache.incr("counter")  # as for a key that has expired
        cache.delete("k")
        cache.delete_many(["k"])
        cache.set_many({"a": 1})
    outage = [r for r in caplog.records if r.name == "core.cache"]
    assert len(outage) == 1 and "cache unavailable" in outage[0].getMessage()


@pytest.mark.django_db
def test_a_camera_posts_its_reads_and_the_rate_limit_fails_open(redis_down, tehran, settings):
    settings.ANPR_RATE_LIMIT_PER_MINUTE = 2  # each request counts alone: the window is never found
    _camera, token = anpr_services.camera_register(office=tehran, code="THR-1", direction="in")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Camera {token}")
    at = timezone.now() - dt.timedelta(minutes=10)
    for i in range(3):
        response = api.post(
            reverse("anpr-api-read-create"),
            {"captured_at": (at + dt.timedelta(seconds=i)).isoformat(), "plate": "12ب34511"},
            format="json",
        )
        assert response.status_code == 201, response.content
    assert PlateRead.objects.count() == 3
    bulk = [
        {"captured_at": (at + dt.timedelta(minutes=1, seconds=i)).isoformat(), "plate": "12ب34511"} for i in range(3)
    ]
    response = api.post(reverse("anpr-api-read-bulk"), {"reads": bulk}, format="json")
    assert response.status_code == 429  # larger than the whole budget: refused even so


@pytest.mark.django_db
def test_a_clerk_logs_in_and_opens_the_dashboard_and_the_list(redis_down, client, origin_clerk, settings):
    settings.AXES_ENABLED = True  # the lock-out keeps its counts in the database, not the cache
    origin_clerk.set_password("a-long-password-1")
    origin_clerk.save()
    response = client.post(reverse("login"), {"username": origin_clerk.username, "password": "a-long-password-1"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert client.get(reverse("declarations:list")).status_code == 200
