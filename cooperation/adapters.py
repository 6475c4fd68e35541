from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class AccountAdapter(DefaultAccountAdapter):
    """No public sign-up: people are invited by their institution."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": _(
            "Too many failed attempts to log in to this account. Wait 5 minutes and try "
            "again, or reset your password with the link below."
        ),
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """Record the lockout in the audit log (without the username typed)."""
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            from django.db.models import Q

            from .audit import audit
            from .models import AuditAction, User

            login = credentials.get("username") or credentials.get("email") or ""
            # The locked account's owner (if the name exists) is the subject, so
            # their coordinator sees the attempt; what was typed is not stored.
            target = User.objects.filter(Q(username__iexact=login) | Q(email__iexact=login)).first()
            audit(actor=target, action=AuditAction.LOCKED_OUT, request=request, reason="login")
            raise


class MfaAdapter(DefaultMFAAdapter):
    """People whose role requires two-factor authentication cannot turn it off."""

    def can_delete_authenticator(self, authenticator: Any) -> bool:
        from allauth.mfa.models import Authenticator

        from .mfa import mfa_required_for

        if authenticator.type == Authenticator.Type.TOTP and mfa_required_for(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)
