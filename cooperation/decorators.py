from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def member_required(
    roles: Iterable[str] | None = None, *, permission: tuple[type[Model], str] | None = None
) -> Callable:
    """Logged in, with an active membership, and (optionally) one of `roles`, or
    allowed by the model's policy to do `permission = (Model, action)` (the same
    answer the menu and the service give; 403 with the policy's reason).

    A user with no institution sees a page saying so instead of an empty app.
    """
    allowed = frozenset(roles) if roles is not None else None

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            membership = request.membership  # type: ignore[attr-defined]
            if not membership:
                return render(request, "cooperation/no_membership.html", status=403)
            if allowed is not None and membership.role not in allowed:
                raise PermissionDenied
            if permission is not None:
                from .permissions import require

                require(request.user, *permission)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
