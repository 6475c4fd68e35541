"""Who sees meetings and their records, and who organises them (see
cooperation.permissions).

An event is visible to the organiser and every invited institution (one
EventInstitution row each, unique, so the join never duplicates); its dates,
invitees, materials, attendance and minutes inherit that. Who may *change* it is
the organiser's coordinators and administrators, or the caseworker who scheduled
their own case conference; anyone taking part may answer, add files and move their
own action items on.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from cooperation.models import Membership
from cooperation.permissions import ALLOW, CHANGE, Policy, Reason, register, role_in, visible
from cooperation.roles import CASEWORK_ORGANISERS, MANAGING_ROLES

from .models import (
    ActionItem,
    Attendance,
    Decision,
    Event,
    EventKind,
    FeedToken,
    Invitee,
    Material,
    Minutes,
    Occurrence,
    Room,
)

SCHEDULE = "schedule"  # on the model: schedule a case conference (caseworkers) or more
SCHEDULE_ANY = "schedule_any"  # on the model: a meeting or training (coordinators, admins)
ORGANISE = "organise"  # change, cancel, move a date, take attendance, write the minutes
CASE_DETAILS = "case_details"  # a case conference's client and files

ONLY_ORGANISER = _("Only the organiser's coordinator or the person who scheduled it may do this.")


def organises(membership: Membership, event: Any) -> Reason | None:
    if isinstance(event, type):  # asked of the model: could this role ever organise?
        return None if membership.role in MANAGING_ROLES | CASEWORK_ORGANISERS else ONLY_ORGANISER
    if membership.institution_id == event.organiser_id and (
        membership.role in MANAGING_ROLES or event.created_by_id == membership.user_id
    ):
        return None
    return ONLY_ORGANISER


def _sees_the_client(membership: Membership, event: Any) -> Reason | None:
    if isinstance(event, type) or not event.is_case_conference:
        return None
    clients = visible(Client, membership.user).filter(pk=event.client_id)
    return None if clients.exists() else _("You do not have access to this client.")


def _item_owner_or_organiser(membership: Membership, item: Any) -> Reason | None:
    if isinstance(item, type) or item.owner_id == membership.user_id:
        return None
    if organises(membership, item.minutes.occurrence.event) is None:
        return None
    return _("Only the owner or the organiser may change this action item.")


def _uploader_or_organiser(membership: Membership, material: Any) -> Reason | None:
    if isinstance(material, type) or material.uploaded_by_id == membership.user_id:
        return None
    if organises(membership, material.event) is None:
        return None
    return _("Only who added the file or the organiser may remove it.")


register(
    Policy(
        Event,
        owner="institution_links__institution",
        rules={
            SCHEDULE: role_in(
                MANAGING_ROLES | CASEWORK_ORGANISERS, _("Your role may not schedule meetings.")
            ),
            SCHEDULE_ANY: role_in(
                MANAGING_ROLES, _("Your role may schedule case conferences only.")
            ),
            ORGANISE: organises,
            CASE_DETAILS: _sees_the_client,
        },
    )
)
children: dict[str, tuple[type[models.Model], ...]] = {
    "event": (Occurrence, Invitee),
    "occurrence": (Attendance, Minutes),
    "minutes": (Decision,),
}
for parent, models_ in children.items():
    for model in models_:
        register(Policy(model, owner=None, parent=parent))
register(Policy(Material, owner=None, parent="event", rules={CHANGE: _uploader_or_organiser}))
register(Policy(ActionItem, owner=None, parent="minutes", rules={CHANGE: _item_owner_or_organiser}))
register(Policy(Room, owner="institution"))
# A person's own calendar-feed address: anyone acting for an institution keeps theirs.
register(Policy(FeedToken, owner="institution", rules={CHANGE: ALLOW}))

__all__ = ["CASE_DETAILS", "ORGANISE", "SCHEDULE", "SCHEDULE_ANY", "EventKind", "organises"]
