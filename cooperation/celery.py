"""Celery application. Without REDIS_URL tasks run eagerly (see settings).

Eager tasks run inside the request that queues them, so a slow one (a SEPI
lookup waits up to half a minute for an answer) holds the page. A task marked
`@shared_task(after_response=True)` runs instead after the response has been
sent, in a small pool of background threads of the web process, when tasks are
eager and EAGER_TASKS_AFTER_RESPONSE is on (the demo). Outside a request (a
management command, the seed) it still runs at once; with a worker it is queued
as always. Tests switch the deferral off (tests/conftest.py) unless they test it.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from celery import Celery, Task
from celery.signals import beat_init
from celery.utils import uuid

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cooperation.settings")

logger = logging.getLogger(__name__)


class AppTask(Task):
    #: With eager tasks, run after the response instead of inside the request.
    after_response = False

    def apply_async(self, args=None, kwargs=None, task_id=None, **options):  # type: ignore[override]
        if self.after_response and deferring(self.app):
            task_id = task_id or uuid()

            def run() -> None:
                Task.apply_async(self, args, kwargs, task_id=task_id, **options)

            defer(run)
            return self.AsyncResult(task_id)
        return super().apply_async(args, kwargs, task_id=task_id, **options)


app = Celery("cooperation", task_cls=AppTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@beat_init.connect
def _beat_started(**kwargs: Any) -> None:
    """Beat's first heartbeat is its start, so /health/ is green before its first minute."""
    from .health import heartbeat_record

    heartbeat_record()


# --- running eager tasks after the response -------------------------------------

_local = threading.local()
_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()
_futures: set[Future[None]] = set()


def deferring(celery_app: Celery = app) -> bool:  # type: ignore[assignment]
    from django.conf import settings

    return bool(celery_app.conf.task_always_eager) and getattr(
        settings, "EAGER_TASKS_AFTER_RESPONSE", False
    )


def _run(work: Callable[[], Any]) -> None:
    from django.db import connections

    try:
        work()
    except Exception:
        logger.exception("a task run after the response failed")
    finally:
        connections.close_all()  # this thread's connections only


def _submit(work: Callable[[], Any]) -> None:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="after-response")
        future = _executor.submit(_run, work)
        _futures.add(future)
    future.add_done_callback(_futures.discard)


def defer(work: Callable[[], Any]) -> None:
    """Run `work` once the current request's response is sent; at once outside a request."""
    pending = getattr(_local, "pending", None)
    if pending is None:
        work()
    else:
        pending.append(work)


def wait_idle(timeout: float = 30.0) -> None:
    """Wait until the work handed to the background threads is done (tests, shutdown)."""
    import concurrent.futures

    concurrent.futures.wait(list(_futures), timeout=timeout)


def _request_started(**kwargs: Any) -> None:
    _local.pending = []


def _request_finished(**kwargs: Any) -> None:
    pending, _local.pending = getattr(_local, "pending", None), None
    for work in pending or ():
        _submit(work)


def connect_signals() -> None:
    from django.core.signals import request_finished, request_started

    request_started.connect(_request_started, dispatch_uid="celery-after-response-start")
    request_finished.connect(_request_finished, dispatch_uid="celery-after-response-finish")
