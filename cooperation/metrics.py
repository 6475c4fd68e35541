"""Prometheus metrics (django-prometheus) on an endpoint that is not public.

`/metrics` answers only a scraper that sends `Authorization: Bearer <METRICS_TOKEN>`;
without a token configured it does not exist (404), and nginx refuses the path from
outside in any case, so Prometheus scrapes each web process directly. With several
gunicorn workers, PROMETHEUS_MULTIPROC_DIR makes the numbers add up over them.

Besides django-prometheus's request latency and counts, it reports the Celery queue
in Redis: messages waiting, and messages taken by a worker but not yet acknowledged.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django_prometheus.exports import ExportToDjangoView


def _authorised(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


def celery_queue_lines() -> list[str]:
    """Exposition lines for the broker's queue lengths (empty without Redis)."""
    if settings.CELERY_TASK_ALWAYS_EAGER or not settings.REDIS_URL.startswith("redis"):
        return []
    import redis

    queue = "celery"
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
        waiting, unacked = client.llen(queue), client.hlen("unacked")
    except redis.RedisError:
        return ["# celery queue: Redis did not answer"]
    return [
        "# HELP celery_queue_length Tasks waiting in the Celery queue.",
        "# TYPE celery_queue_length gauge",
        f'celery_queue_length{{queue="{queue}"}} {waiting}',
        "# HELP celery_unacked_tasks Tasks taken by a worker and not yet acknowledged.",
        "# TYPE celery_unacked_tasks gauge",
        f"celery_unacked_tasks {unacked}",
        "",
    ]


def metrics(request: HttpRequest) -> HttpResponse:
    if not _authorised(request):
        raise Http404
    response = ExportToDjangoView(request)
    response.content += "\n".join(celery_queue_lines()).encode()
    return response
