from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from .permissions import membership_of, remembered_answers


class RequestAddressMiddleware:
    """Audit rows written by services while serving a request record its address,
    as the rows written by views do (services are not given the request)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from .audit import request_address

        with request_address(request):
            return self.get_response(request)


class InstitutionMiddleware:
    """Put the user's active membership and institution on the request.

    Lazy, so pages that never ask (static, login) cost no query. A GET or HEAD
    remembers the policy's answers about rows (see `remembered_answers`): a page
    that asks "may this user see the client?" for each of its buttons pays once.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = SimpleLazyObject(lambda: membership_of(request.user))  # type: ignore[attr-defined]
        request.institution = SimpleLazyObject(  # type: ignore[attr-defined]
            lambda: request.membership.institution if request.membership else None  # type: ignore[attr-defined]
        )
        if request.method in ("GET", "HEAD"):
            with remembered_answers():
                return self.get_response(request)
        return self.get_response(request)


class DeniedAccessAuditMiddleware:
    """Every 403/404 raised on a URL that names an object goes to the audit log.

    Records the method and path (ids only, no personal data), who, from where.
    Pages without an object in the URL are not logged: a mistyped address is
    not an access attempt.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        from django.core.exceptions import PermissionDenied
        from django.http import Http404

        from .audit import audit
        from .models import AuditAction

        match = getattr(request, "resolver_match", None)
        if (
            not isinstance(exception, Http404 | PermissionDenied)
            or match is None
            or not match.kwargs
        ):
            return None
        user = request.user if request.user.is_authenticated else None
        audit(
            actor=user,
            action=AuditAction.DENIED,
            reason=f"{request.method} {request.path}"[:250],
            request=request,
        )
        return None


class ServiceUnavailableMiddleware:
    """A request that needed Redis while it was away answers 503 "try again", not 500.

    The cache fails open by itself (cooperation/cache.py); this catches what is left:
    a task that could not be queued after the publish retries (about 15 s), or any
    other call to Redis that found it restarting. The page says, in Polish, to try
    again in a moment; `Retry-After` says the same to machines. Logged as a warning
    with the error's type (Django would log a 500 with its traceback).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        import logging

        from django.shortcuts import render

        if not isinstance(exception, redis_unavailable_errors()):
            return None
        logging.getLogger("cooperation.unavailable").warning(
            "a service was unavailable", extra={"error": type(exception).__name__}
        )
        response = render(request, "503.html", status=503)
        response["Retry-After"] = "5"
        return response


def redis_unavailable_errors() -> tuple[type[BaseException], ...]:
    """Redis away (refused, timed out, loading its file) as redis-py and kombu raise it."""
    from kombu.exceptions import OperationalError

    from .cache import UNAVAILABLE

    return (*UNAVAILABLE, OperationalError)


class SessionTimeoutMiddleware:
    """Log out after SESSION_IDLE_SECONDS without a request, and SESSION_MAX_SECONDS in all.

    The last-activity stamp is written at most once a minute, so a busy page
    does not write the session on every request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        import time

        from django.conf import settings
        from django.contrib import messages
        from django.contrib.auth import logout
        from django.shortcuts import redirect
        from django.utils.translation import gettext as _

        if request.user.is_authenticated:
            now = int(time.time())
            session = request.session
            started = session.setdefault("started_at", now)
            last = session.get("last_seen", now)
            if (
                now - last > settings.SESSION_IDLE_SECONDS
                or now - started > settings.SESSION_MAX_SECONDS
            ):
                logout(request)
                messages.info(
                    request,
                    _("You were logged out after a period of inactivity. Please log in again."),
                )
                return redirect(f"{settings.LOGIN_URL_PATH}?next={request.path}")
            if now - last >= 60 or "last_seen" not in session:
                session["last_seen"] = now
        return self.get_response(request)


class PolishFirstLocaleMiddleware:
    """Polish unless the user chose another language with the switcher.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so an
    office computer set up in English would show an English UI; the product
    speaks Polish by default and English only on request (the language cookie).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class MfaRequiredMiddleware:
    """Coordinators, institution administrators and superusers set up an
    authenticator app before anything else (settings.MFA_REQUIRED).

    Their account pages (/accounts/: two-factor setup, password, log out) stay
    open; every other page sends them to the setup page. The session flag set at
    login (cooperation.mfa) spares the query on every later request.
    """

    OPEN_PREFIXES = ("/accounts/", "/static/", "/healthz/", "/i18n/", "/session/", "/dostepnosc/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings

        from .mfa import SESSION_FLAG

        if (
            settings.MFA_REQUIRED
            and request.user.is_authenticated
            and not request.session.get(SESSION_FLAG)
            and not request.path.startswith(self.OPEN_PREFIXES)
        ):
            from django.contrib import messages
            from django.shortcuts import redirect
            from django.utils.translation import gettext as _

            from .mfa import has_totp, mark_enrolled, mfa_required_for

            if mfa_required_for(request.user, request.membership):  # type: ignore[attr-defined]
                if has_totp(request.user):
                    mark_enrolled(request)
                else:
                    messages.warning(
                        request,
                        _(
                            "Your role gives access to other people's data, so your account "
                            "needs two-factor authentication. Set up an authenticator app "
                            "on your phone to continue."
                        ),
                    )
                    return redirect("mfa_activate_totp")
        return self.get_response(request)
