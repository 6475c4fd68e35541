from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .navigation import nav_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"nav_items": []}
    from django.conf import settings

    return {
        "session_idle_seconds": settings.SESSION_IDLE_SECONDS,
        "current_membership": membership or None,
        "current_institution": membership.institution if membership else None,
        "nav_items": nav_for(membership.role if membership else None),
    }
