"""Answers to invitations, and a training's waiting list."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperation.audit import audit
from cooperation.models import AuditAction, User
from cooperation.permissions import VIEW, require

from ..models import Event, Invitee, Response
from ..selectors import event_get_for_user, seats_taken
from .common import _acting_membership, _on_commit_notify, _require_scheduled

# --- answers and the waiting list ---------------------------------------------------


def _promote_waitlisted(event: Event) -> list[Invitee]:
    """Move people up from the waiting list while places are free, first come first served."""
    promoted = []
    accepted = seats_taken(event)
    waiting = event.invitees.filter(response=Response.WAITLISTED).order_by("waitlisted_at", "pk")
    for invitee in waiting:
        if event.capacity is not None and accepted >= event.capacity:
            break
        invitee.response = Response.ACCEPTED
        invitee.waitlisted_at = None
        invitee.save(update_fields=["response", "waitlisted_at"])
        accepted += 1
        promoted.append(invitee)
    _on_commit_notify(event, [i.user_id for i in promoted], "promoted")
    return promoted


@transaction.atomic
def invitation_respond(*, event: Event, acting_user: User, response: str) -> Invitee:
    """The acting person answers for themselves: accept, maybe or decline.

    Someone of a participating institution who was not invited by name
    signs up this way. Accepting a full training puts them on the waiting
    list; leaving an accepted place gives it to the first one waiting.
    """
    require(acting_user, event, VIEW)
    if response not in (Response.ACCEPTED, Response.MAYBE, Response.DECLINED):
        raise ValidationError(_("Choose accept, maybe or decline."))
    event = Event.objects.select_for_update().get(pk=event_get_for_user(acting_user, event.pk).pk)
    _require_scheduled(event)
    if not event.occurrences.filter(ends_at__gt=timezone.now(), cancelled=False).exists():
        raise ValidationError(_("This event is over; there is nothing left to answer."))
    membership = _acting_membership(acting_user)
    invitee = Invitee.objects.select_for_update().filter(event=event, user=acting_user).first()
    if invitee is None:
        invitee = Invitee(event=event, user=acting_user, institution=membership.institution)
    before = invitee.response if invitee.pk else Response.PENDING
    now = timezone.now()
    if response == Response.ACCEPTED and before in (Response.ACCEPTED, Response.WAITLISTED):
        return invitee
    full = event.capacity is not None and seats_taken(event) >= event.capacity
    if response == Response.ACCEPTED and full and acting_user.pk != event.created_by_id:
        response = Response.WAITLISTED
        invitee.waitlisted_at = now
    if response != Response.WAITLISTED:
        invitee.waitlisted_at = None
    invitee.response = response
    invitee.responded_at = now
    invitee.save()
    if before == Response.ACCEPTED and response != Response.ACCEPTED:
        _promote_waitlisted(event)
    audit(
        actor=acting_user,
        action=AuditAction.UPDATE,
        obj=invitee,
        fields=["response"],
        reason=response,
    )
    return invitee
