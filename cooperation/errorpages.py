"""The app's own 404 and 500 pages while DEBUG is on (the demo, local runs).

With DEBUG=1 Django answers a 404 and a 500 with its technical pages: in
English, listing every route, settings and a traceback. The demo runs with
DEBUG=1, so a user whose access has just ended would see them. Unless a
developer asks for them with DEBUG_ERROR_PAGES=1, the app's Polish pages
(templates/404.html, templates/500.html) answer instead, with the same status;
the console still gets the traceback of a 500. (403 always uses the app's page:
Django has no technical 403. With DEBUG=0 none of this is needed, the handlers
answer already.)
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import Resolver404, get_resolver
from django.views.debug import ExceptionReporter


def friendly_pages() -> bool:
    """Are Django's technical error pages replaced by the app's own?"""
    return settings.DEBUG and not settings.DEBUG_ERROR_PAGES


def _not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    resolver = get_resolver(getattr(request, "urlconf", None))
    handler = resolver.resolve_error_handler(404)
    return handler(request, exception=exception)  # type: ignore[call-arg]


class FriendlyErrorPagesMiddleware:
    """Answer a 404 with the app's page while DEBUG is on.

    A view's Http404 arrives in `process_exception`; an address no route
    matches fails in Django's resolver after every middleware, so it is
    checked here first. Keep it after the middleware that fill the request
    (user, institution, language) and before DeniedAccessAuditMiddleware, whose
    `process_exception` must still see the 404 to audit it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not friendly_pages():
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        resolver = get_resolver(getattr(request, "urlconf", None))
        try:
            resolver.resolve(request.path_info)
        except Resolver404 as exc:
            return _not_found(request, exc)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Http404):
            return _not_found(request, exception)
        return None


class FriendlyExceptionReporter(ExceptionReporter):
    """DEFAULT_EXCEPTION_REPORTER: Django's debug 500 shows templates/500.html instead.

    Only the page changes; the error is logged with its traceback as before.
    """

    def get_traceback_html(self) -> str:  # type: ignore[override]
        if friendly_pages():
            return render_to_string("500.html")
        return super().get_traceback_html()

    def get_traceback_text(self) -> str:  # type: ignore[override]
        if friendly_pages():
            return render_to_string("500.html")
        return super().get_traceback_text()
