"""What every write of the meetings app shares: the input shapes, limits, and the checks of who acts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from clients.models import Client
from cooperation import events
from cooperation.models import Membership, User
from cooperation.permissions import membership_of

from ..models import ActionStatus, Event, EventStatus, Occurrence, Room

MAX_DURATION = dt.timedelta(days=14)
# Attendance and minutes open this long before a date starts (people sign in
# at the door) and stay open afterwards.
RECORDS_OPEN_BEFORE = dt.timedelta(hours=1)
# Presentations and handouts run larger than the documents in a client's file.
MATERIAL_MAX_MB = 20


class RoomOverlap(ValidationError):
    """The room is booked at that time. A warning: the organiser may confirm and book anyway."""


@dataclass(frozen=True)
class EventData:
    """What the event form gives: the fields an organiser chooses."""

    kind: str
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    rrule: str = ""
    room: Room | None = None
    location: str = ""
    online_url: str = ""
    agenda: str = ""
    capacity: int | None = None
    client: Client | None = None


@dataclass(frozen=True)
class ActionItemData:
    description: str
    owner: User
    due_date: dt.date
    status: str = ActionStatus.OPEN
    pk: int | None = None


# What the services say happened -> the notice kind (notifications/kinds.py, Meetings).
KINDS = {
    "invitation": "meetings.invitation",
    "changed": "meetings.changed",
    "moved": "meetings.changed",
    "cancelled": "meetings.cancelled",
    "event_cancelled": "meetings.cancelled",
    "reminder": "meetings.reminder",
    "promoted": "meetings.promoted",
}


def _on_commit_notify(
    event: Event, users: Iterable[User | int], what: str, occurrence: Occurrence | None = None
) -> None:
    """Tell these people (ids travel with the event) what happened to the event; the
    notification centre writes the notices and sends the e-mails with the .ics."""
    ids = sorted({u if isinstance(u, int) else u.pk for u in users})
    if ids:
        events.emit(
            KINDS[what],
            target=event,
            user_ids=ids,
            what=what,
            occurrence_id=occurrence.pk if occurrence else None,
        )


def _acting_membership(user: User) -> Membership:
    membership = membership_of(user)
    if membership is None:
        raise PermissionDenied(_("You are not a member of any institution."))
    return membership


def _require_scheduled(event: Event) -> None:
    if event.status != EventStatus.SCHEDULED:
        raise ValidationError(_("This event is cancelled."))
