"""Permission-filtered reads of the tenancy core."""

from __future__ import annotations

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import QuerySet

from .http import MemberRequest
from .models import AuditEvent, Membership, User
from .permissions import visible


def members_visible_to(user: User) -> QuerySet[Membership]:
    """Active and past memberships of the user's institution (managers only)."""
    return (
        visible(Membership, user)
        .select_related("user", "institution")
        .order_by("-is_active", "user__last_name", "user__first_name")
    )


def audit_events_visible_to(user: User) -> QuerySet[AuditEvent]:
    """The institution's audit events, newest first, ready for a table."""
    return visible(AuditEvent, user).select_related("actor", "content_type")


def home_pending_invitations(request: MemberRequest) -> list[Membership]:
    # An invited user has an unusable password until they follow the link.
    pending = members_visible_to(request.user).filter(
        is_active=True, user__password__startswith=UNUSABLE_PASSWORD_PREFIX
    )
    return list(pending[:10])


def home_recent_audit(request: MemberRequest) -> list[AuditEvent]:
    from .audit import audit_rows

    return audit_rows(audit_events_visible_to(request.user)[:8], request.user)
