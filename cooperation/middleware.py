from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from .permissions import membership_of


class InstitutionMiddleware:
    """Put the user's active membership and institution on the request.

    Lazy, so pages that never ask (static, login) cost no query.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = SimpleLazyObject(lambda: membership_of(request.user))  # type: ignore[attr-defined]
        request.institution = SimpleLazyObject(  # type: ignore[attr-defined]
            lambda: request.membership.institution if request.membership else None
        )
        return self.get_response(request)
