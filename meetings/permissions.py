"""Who sees meetings and their records (see cooperation.permissions)."""

from __future__ import annotations

from django.db import models

from cooperation.permissions import Policy, register

from .models import (
    ActionItem,
    Attendance,
    Decision,
    Event,
    Invitee,
    Material,
    Minutes,
    Occurrence,
    Room,
)

# An event is visible to the organiser and every invited institution:
# one EventInstitution row each, unique, so the join never duplicates.
# Who may change it is decided in the services (the organiser's
# coordinators, or the caseworker who scheduled a case conference).
register(Policy(Event, owner="institution_links__institution"))
children: dict[str, tuple[type[models.Model], ...]] = {
    "event": (Occurrence, Invitee, Material),
    "occurrence": (Attendance, Minutes),
    "minutes": (Decision, ActionItem),
}
for parent, models_ in children.items():
    for model in models_:
        register(Policy(model, owner=None, parent=parent))
register(Policy(Room, owner="institution"))
