"""One log line per request, and the request id on every line logged meanwhile.

The line names the route pattern (`clients/<int:pk>/`), its numeric ids, the
status and the time taken; never the query string (a searched name), the path of
a route that carries a secret (a calendar feed token, a password-reset key) or a
person's name or PESEL. The request id is the proxy's `X-Request-ID` (nginx's
`$request_id`), so nginx's access log and the app's lines can be joined; without
a proxy the app makes one. It is sent back in the response's `X-Request-ID`.
"""

from __future__ import annotations

import logging
import os
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

logger = logging.getLogger("cooperation.request")

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_VALID_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def current_request_id() -> str | None:
    return _request_id.get()


class RequestIdFilter(logging.Filter):
    """Adds `request_id` (or None outside a request) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get()
        return True


class JsonFormatter(_JsonFormatter):
    """python-json-logger's formatter without the attributes that may hold personal data.

    Django attaches the request to its records (`django.request`); its repr carries
    the full URL with the query string, so it never reaches the log.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        from pythonjsonlogger.core import RESERVED_ATTRS

        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, "request", "server_time"])
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _VALID_ID.fullmatch(given) else uuid.uuid4().hex
        token = _request_id.set(request_id)
        started = time.perf_counter()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response["X-Request-ID"] = request_id
            return response
        finally:
            self._log(request, status, time.perf_counter() - started)
            _request_id.reset(token)

    def _log(self, request: HttpRequest, status: int, seconds: float) -> None:
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        logger.info(
            "request",
            extra={
                "method": request.method,
                "route": ("/" + match.route) if match is not None else None,
                "view": match.view_name if match is not None else None,
                # Only numeric ids: a string argument may be a secret token.
                "ids": {k: v for k, v in match.kwargs.items() if isinstance(v, int)}
                if match is not None
                else {},
                "status": status,
                "duration_ms": round(seconds * 1000, 1),
                "user_id": user.pk if user is not None and user.is_authenticated else None,
                # At each request: gunicorn --preload builds this middleware in the
                # master, before the workers are forked.
                "pid": os.getpid(),
            },
        )
