"""Filters for the console log (LOGGING in settings)."""

from __future__ import annotations

import logging


class NoTracebackFor4xx(logging.Filter):
    """A refused request (403, 404…) is one line, not a traceback.

    Django logs "Forbidden (Permission denied): /path" with the PermissionDenied
    traceback attached; it is an expected answer, not a bug, and the traceback
    says nothing but where the check sits. Errors (5xx) keep theirs.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
