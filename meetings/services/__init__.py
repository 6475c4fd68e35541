"""Writes of the meetings app. Each is atomic, checks who acts and the
event's state, audits, and queues its e-mails for after the commit.

Rules kept here and nowhere else:
- an organiser invites only institutions linked to it by an agreement in
  force (any scope), and people of the invited institutions or its own;
- a case conference is about a client the organiser may see, and invites
  only institutions that may see that client too;
- a training with a number of places puts those who accept once it is
  full on a waiting list, and moves the first of them up when a place frees;
- a series' dates come from its RRULE in local time; a date can be moved
  or cancelled alone; a series that has begun may change only its end.
"""

from __future__ import annotations

from .answers import invitation_respond
from .common import (
    MATERIAL_MAX_MB,
    MAX_DURATION,
    RECORDS_OPEN_BEFORE,
    ActionItemData,
    EventData,
    RoomOverlap,
)
from .events import (
    event_cancel,
    event_schedule,
    event_update,
    occurrence_cancel,
    occurrence_move,
    occurrences_extend_all,
    occurrences_sync,
    room_clashes,
)
from .feed import feed_token_create, feed_token_revoke, feed_user
from .records import (
    action_item_set_status,
    attendance_record,
    case_conferences_anonymise,
    material_add,
    material_remove,
    minutes_save,
)
from .reminders import action_items_due_send, reminders_send

__all__ = [
    "MATERIAL_MAX_MB",
    "MAX_DURATION",
    "RECORDS_OPEN_BEFORE",
    "ActionItemData",
    "EventData",
    "RoomOverlap",
    "action_item_set_status",
    "action_items_due_send",
    "attendance_record",
    "case_conferences_anonymise",
    "event_cancel",
    "event_schedule",
    "event_update",
    "feed_token_create",
    "feed_token_revoke",
    "feed_user",
    "invitation_respond",
    "material_add",
    "material_remove",
    "minutes_save",
    "occurrence_cancel",
    "occurrence_move",
    "occurrences_extend_all",
    "occurrences_sync",
    "reminders_send",
    "room_clashes",
]
