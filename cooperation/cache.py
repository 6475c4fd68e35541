"""The cache (Redis in production) that fails open for the moment Redis is away.

The cache holds nothing that is not kept elsewhere or cannot be rebuilt: the login
rate limits, the SEPI circuit breaker, computed indicator figures, SEPI answers,
beat's heartbeat. Sessions and every record live in PostgreSQL. So when Redis
restarts (a second or two, the append-only file being loaded) a request should not
fail because of it: a read finds nothing, a write is dropped, a lock is granted,
and a warning is logged — the login rate limit lets that login through, which is
what it does for a first attempt anyway. Once Redis answers again everything
counts as before.

Only the errors of an unreachable Redis are caught (refused or dropped connections,
timeouts, "loading the dataset"); a wrong command or a value that cannot be read
still raises. /health/'s cache check writes and reads back, so it still reports
Redis down.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("cooperation.cache")

# Redis away: refused, reset, timed out, or still loading its file (BusyLoadingError
# is a ConnectionError; redis-py wraps socket errors in these).
UNAVAILABLE: tuple[type[BaseException], ...] = (RedisConnectionError, RedisTimeoutError)
# One warning per process per this many seconds while Redis is away, not one per call.
WARN_EVERY_SECONDS = 5.0

T = TypeVar("T")


class FailOpenRedisCache(RedisCache):
    """Django's Redis cache; while Redis is unreachable, reads miss and writes are dropped."""

    _last_warning = 0.0

    def _or(self, operation: str, default: T, call: Callable[[], T]) -> T:
        try:
            return call()
        except UNAVAILABLE as exc:
            now = time.monotonic()
            if now - FailOpenRedisCache._last_warning >= WARN_EVERY_SECONDS:
                FailOpenRedisCache._last_warning = now
                # No key in the message: a rate limit's key can stand for a person.
                logger.warning(
                    "cache unavailable, failing open",
                    extra={"operation": operation, "error": type(exc).__name__},
                )
            return default

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        # Granted: a lock taken with add (the login rate limit's) must not shut the door.
        return self._or(
            "add", True, lambda: super(FailOpenRedisCache, self).add(key, value, timeout, version)
        )

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._or(
            "get", default, lambda: super(FailOpenRedisCache, self).get(key, default, version)
        )

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        self._or(
            "set", None, lambda: super(FailOpenRedisCache, self).set(key, value, timeout, version)
        )

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return self._or(
            "touch", False, lambda: super(FailOpenRedisCache, self).touch(key, timeout, version)
        )

    def delete(self, key: Any, version: Any = None) -> bool:
        return self._or(
            "delete", False, lambda: super(FailOpenRedisCache, self).delete(key, version)
        )

    def get_many(self, keys: Any, version: Any = None) -> dict[Any, Any]:
        return self._or(
            "get_many", {}, lambda: super(FailOpenRedisCache, self).get_many(keys, version)
        )

    def has_key(self, key: Any, version: Any = None) -> bool:
        return self._or(
            "has_key", False, lambda: super(FailOpenRedisCache, self).has_key(key, version)
        )

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        # As if the counter had just started.
        return self._or(
            "incr", delta, lambda: super(FailOpenRedisCache, self).incr(key, delta, version)
        )

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> list[Any]:
        # The keys that were not stored: all of them.
        return self._or(
            "set_many",
            list(data),
            lambda: super(FailOpenRedisCache, self).set_many(data, timeout, version),
        )

    def delete_many(self, keys: Any, version: Any = None) -> None:
        self._or(
            "delete_many", None, lambda: super(FailOpenRedisCache, self).delete_many(keys, version)
        )
