"""`{% can obj "action" as name %}`: the policy's answer for the current user, so a
template shows only the buttons and forms the person may use (the same rule the
service enforces with `require`). `obj` may be a row or a model class."""

from __future__ import annotations

from typing import Any

from django import template

from cooperation import permissions

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context: dict[str, Any], obj: Any, action: str) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if obj is None or user is None:
        return False
    return permissions.can(user, obj, action)
