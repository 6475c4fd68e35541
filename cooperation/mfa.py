"""Two-factor authentication: who must use it, and the flag that spares a query.

allauth.mfa does the work (TOTP and recovery codes, the code step at login).
We add the rule: coordinators, institution administrators and superusers must
have an authenticator app before they can use the application
(`MfaRequiredMiddleware` sends them to set it up) and cannot turn it off.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .models import User
from .roles import MANAGING_ROLES

SESSION_FLAG = "mfa_enrolled"


def mfa_required_for(user: User, membership: Any = None) -> bool:
    if not settings.MFA_REQUIRED or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if membership is None:
        from .permissions import membership_of

        membership = membership_of(user)
    # `membership` may be the request's lazy object wrapping None.
    return getattr(membership, "role", None) in MANAGING_ROLES


def has_totp(user: User) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def remember_enrolment(request: HttpRequest, user: User) -> None:
    """At login: note in the session that the user has an authenticator app, so
    the middleware need not ask the database on every request."""
    session = getattr(request, "session", None)
    if session is not None and has_totp(user):
        mark_enrolled(request)


def mark_enrolled(request: HttpRequest) -> None:
    request.session[SESSION_FLAG] = True


def forget_enrolment(request: HttpRequest | None) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        session.pop(SESSION_FLAG, None)
