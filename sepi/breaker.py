"""A circuit breaker for SEPI, its state in the Django cache (Redis in
production) so every web process and worker sees the same state.

closed     calls go through; failures in a row are counted;
open       after `threshold` failures in a row no call is made for
           `reset_seconds` (SepiCircuitOpen at once: the page says so and
           offers a retry, instead of every lookup waiting for timeouts);
half-open  after that, exactly one trial call goes through (an atomic
           `cache.add` picks it); success closes the circuit, failure opens
           it again for another `reset_seconds`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.core.cache import cache

from .types import SepiCircuitOpen

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"


class CircuitBreaker:
    def __init__(
        self,
        name: str,
        *,
        threshold: int,
        reset_seconds: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.threshold = max(1, threshold)
        self.reset_seconds = reset_seconds
        self._clock = clock
        self._failures = f"breaker:{name}:failures"
        self._open_until = f"breaker:{name}:open_until"
        self._probe = f"breaker:{name}:probe"
        # Keys outlive the open period, so a forgotten probe cannot block for long.
        self._ttl = max(60, int(reset_seconds * 10))

    def state(self) -> str:
        open_until = cache.get(self._open_until)
        if open_until is None:
            return CLOSED
        return OPEN if self._clock() < open_until else HALF_OPEN

    def before_call(self) -> None:
        """Raise SepiCircuitOpen unless a call may go through now."""
        open_until = cache.get(self._open_until)
        if open_until is None:
            return
        now = self._clock()
        if now < open_until:
            raise SepiCircuitOpen(retry_after=open_until - now)
        # Half-open: only the caller that wins the probe slot tries.
        if not cache.add(self._probe, 1, timeout=max(1, int(self.reset_seconds))):
            raise SepiCircuitOpen(retry_after=self.reset_seconds)

    def record_success(self) -> None:
        cache.delete_many([self._failures, self._open_until, self._probe])

    def record_failure(self) -> None:
        if cache.get(self._open_until) is not None:
            # The trial call of a half-open circuit failed: open again.
            self._open()
            return
        cache.add(self._failures, 0, timeout=self._ttl)
        try:
            failures = cache.incr(self._failures)
        except ValueError:  # the key expired between add and incr
            cache.set(self._failures, 1, timeout=self._ttl)
            failures = 1
        if failures >= self.threshold:
            self._open()

    def _open(self) -> None:
        cache.set(self._open_until, self._clock() + self.reset_seconds, timeout=self._ttl)
        cache.delete_many([self._failures, self._probe])

    def reset(self) -> None:
        self.record_success()
