"""The secret token of a person's calendar subscription feed."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from cooperation.audit import audit
from cooperation.models import AuditAction, User
from cooperation.permissions import CHANGE, membership_of, require

from ..models import FeedToken

# --- the calendar feed ---------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def feed_token_create(*, acting_user: User) -> str:
    """A new secret feed address for the user; the old one stops working.
    Returns the token, which is shown once and never stored."""
    require(acting_user, FeedToken, CHANGE)
    token = secrets.token_urlsafe(32)
    membership = membership_of(acting_user)
    feed, _created = FeedToken.objects.update_or_create(
        user=acting_user,
        defaults={
            "token_hash": _hash(token),
            "institution": membership.institution if membership else None,
            "created_at": timezone.now(),
            "last_used_at": None,
        },
    )
    audit(actor=acting_user, action=AuditAction.GRANT, obj=feed, reason="calendar feed")
    return token


@transaction.atomic
def feed_token_revoke(*, acting_user: User) -> bool:
    require(acting_user, FeedToken, CHANGE)
    feed = FeedToken.objects.filter(user=acting_user).first()
    if feed is None:
        return False
    audit(actor=acting_user, action=AuditAction.REVOKE, obj=feed, reason="calendar feed")
    feed.delete()
    return True


def feed_user(token: str) -> User | None:
    """The person a feed token belongs to, if it is current and they still work for
    the institution they worked for when they made it."""
    if not token or len(token) > 100:
        return None
    feed = (
        FeedToken.objects.select_related("user")
        .filter(token_hash=_hash(token), user__is_active=True)
        .first()
    )
    membership = membership_of(feed.user) if feed is not None else None
    if membership is None or membership.institution_id != feed.institution_id:  # type: ignore[union-attr]
        return None
    FeedToken.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())  # type: ignore[union-attr]
    return feed.user  # type: ignore[union-attr]
