from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .navigation import nav_split


def navigation(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"nav_items": [], "nav_more": []}
    from django.conf import settings

    items, more = nav_split(membership.role if membership else None, request.user)
    return {
        "session_idle_seconds": settings.SESSION_IDLE_SECONDS,
        "current_membership": membership or None,
        "current_institution": membership.institution if membership else None,
        "nav_items": items,
        "nav_more": more,
    }
