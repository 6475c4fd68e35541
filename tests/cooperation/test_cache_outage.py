"""Redis away for a moment (restarting, loading its file): the cache fails open, a
login still works, and what still needs Redis answers 503 "try again", never 500.

The Redis here is an address nothing listens on, so every call really raises
redis-py's ConnectionError; nothing is mocked. Sessions are in the database."""

from __future__ import annotations

import logging

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError

from cooperation.cache import FailOpenRedisCache
from cooperation.models import AuditAction, AuditEvent

from ..factories import PASSWORD

NOWHERE = "redis://127.0.0.1:1/0"  # port 1: connection refused at once


def redis_away(backend: str) -> dict:
    return {
        "default": {
            "BACKEND": backend,
            "LOCATION": NOWHERE,
            "KEY_PREFIX": "outage",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


@pytest.fixture
def cache_away(settings) -> None:  # type: ignore[no-untyped-def]
    settings.CACHES = redis_away("cooperation.cache.FailOpenRedisCache")


def test_the_plain_redis_cache_raises_when_redis_is_away() -> None:
    from django.core.cache.backends.redis import RedisCache

    with pytest.raises(RedisConnectionError):
        RedisCache(NOWHERE, {}).get("key")


def test_reads_miss_writes_are_dropped_locks_are_granted(caplog) -> None:  # type: ignore[no-untyped-def]
    cache = FailOpenRedisCache(NOWHERE, {"OPTIONS": {"socket_connect_timeout": 1}})
    FailOpenRedisCache._last_warning = 0.0

    with caplog.at_level(logging.WARNING, logger="cooperation.cache"):
        assert cache.get("key") is None
        assert cache.get("key", []) == []
        assert cache.add("lock", True, 10) is True
        assert cache.set("key", 1) is None
        assert cache.get_many(["a", "b"]) == {}
        assert cache.has_key("key") is False
        assert cache.incr("counter") == 1
        assert cache.set_many({"a": 1}) == ["a"]
        assert cache.delete("key") is False
        cache.delete_many(["a", "b"])

    warnings = [r for r in caplog.records if r.name == "cooperation.cache"]
    assert len(warnings) == 1  # one per moment, not one per call
    assert warnings[0].getMessage() == "cache unavailable, failing open"
    assert warnings[0].error == "ConnectionError"  # type: ignore[attr-defined]


def test_a_login_while_redis_is_away_logs_in(client, owner, cache_away) -> None:  # type: ignore[no-untyped-def]
    response = client.post(reverse("account_login"), {"login": "owner", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200  # the session is in the database
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor=owner).exists()


def test_a_wrong_password_while_away_is_refused(client, owner, cache_away) -> None:  # type: ignore[no-untyped-def]
    response = client.post(reverse("account_login"), {"login": "owner", "password": "nope"})

    assert response.status_code == 200
    assert 'value="owner"' in response.content.decode()


def test_health_still_reports_the_cache_down(client, db, cache_away) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/health/?format=json")

    assert response.status_code == 500
    assert response.json()["Cache(alias='default')"] != "OK"


def test_what_still_needs_redis_answers_503_in_polish_not_500(client, owner, settings) -> None:  # type: ignore[no-untyped-def]
    # Without the fail-open cache the login's rate limit raises: the middleware answers.
    settings.CACHES = redis_away("django.core.cache.backends.redis.RedisCache")
    assert "cooperation.middleware.ServiceUnavailableMiddleware" in django_settings.MIDDLEWARE
    client.raise_request_exception = True

    response = client.post(reverse("account_login"), {"login": "owner", "password": PASSWORD})

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = response.content.decode()
    assert "Spróbuj ponownie za chwilę" in body
    assert "Nic nie zginęło" in body
