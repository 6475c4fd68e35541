"""The bell's unread count for the top bar, computed only when a page shows it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


class _Unread:
    """Looked up on first use (from the cache, or one COUNT), then kept for the page."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self._value: int | None = None

    def __call__(self) -> int:
        if self._value is None:
            from .selectors import unread_count

            self._value = unread_count(self.user)
        return self._value


def bell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(request, "membership", None):
        return {}
    return {"notices_unread": _Unread(user)}
