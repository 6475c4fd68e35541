"""The one health URL (django-health-check): database, cache (Redis), the Celery
workers and beat's last run, as JSON for compose, nginx and the load test.

With eager tasks (the demo, SQLite) there are no workers and no beat, so only the
database and the cache are checked.
"""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import datetime as dt
import time
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.decorators import method_decorator
from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.contrib.celery import Ping
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

HEARTBEAT_KEY = "health:beat-heartbeat"


def heartbeat_record() -> None:
    # Kept a day: an old stamp says "beat stopped at …", a missing one "never ran".
    cache.set(HEARTBEAT_KEY, time.time(), timeout=24 * 60 * 60)


@dataclasses.dataclass
class BeatHeartbeat(HealthCheck):
    """Beat's last heartbeat (sent every minute, run by a worker) is recent enough."""

    def run(self) -> None:
        last = cache.get(HEARTBEAT_KEY)
        if last is None:
            raise ServiceUnavailable("no heartbeat from beat yet")
        age = time.time() - float(last)
        if age > settings.BEAT_HEARTBEAT_MAX_AGE:
            raise ServiceUnavailable(f"beat's last heartbeat was {age:.0f} s ago")


def checks() -> list:
    found: list = [Database, Cache]
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        found += [(Ping, {"timeout": dt.timedelta(seconds=2)}), BeatHeartbeat]
    return found


class HealthView(HealthCheckView):
    """Served as a sync view: the checks' coroutine runs on its own event loop in a
    thread of its own. Under WSGI Django would wrap the async view in `async_to_sync`,
    which refuses to run in a thread where an event loop already runs (as in a test
    session after Playwright's sync API started) — and /health/ must never 500 for that."""

    view_is_async = False

    @method_decorator(transaction.non_atomic_requests)
    def dispatch(self, request, *args, **kwargs) -> HttpResponse:
        checked = super().dispatch(request, *args, **kwargs)
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(contextvars.copy_context().run, asyncio.run, checked).result()

    def get_checks(self):
        self.checks = checks()
        return super().get_checks()
