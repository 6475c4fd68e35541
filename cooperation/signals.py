"""Login, logout, failed logins and two-factor changes go to the audit log
(who, when, from where)."""

from __future__ import annotations

from typing import Any

from allauth.mfa.signals import authenticator_added, authenticator_removed
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .audit import audit
from .models import AuditAction


@receiver(user_logged_in)
def _on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit(actor=user, action=AuditAction.LOGIN, request=request)


@receiver(user_logged_out)
def _on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit(actor=user, action=AuditAction.LOGOUT, request=request)


@receiver(user_login_failed)
def _on_login_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    # The attempted username is not stored: it may be a mistyped password.
    audit(actor=None, action=AuditAction.LOGIN_FAILED, request=request)


@receiver(user_logged_in)
def _remember_mfa(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from .mfa import remember_enrolment

    if request is not None:
        remember_enrolment(request, user)


@receiver(authenticator_added)
def _on_mfa_added(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    from allauth.mfa.models import Authenticator

    from .mfa import mark_enrolled

    if authenticator.type == Authenticator.Type.TOTP:
        mark_enrolled(request)
        audit(actor=user, action=AuditAction.MFA_ON, request=request)


@receiver(authenticator_removed)
def _on_mfa_removed(
    sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any
) -> None:
    from allauth.mfa.models import Authenticator

    from .mfa import forget_enrolment

    if authenticator.type == Authenticator.Type.TOTP:
        forget_enrolment(request)
        audit(actor=user, action=AuditAction.MFA_OFF, request=request)
