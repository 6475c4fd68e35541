from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Joint meetings and trainings")

    def ready(self) -> None:
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
        for model in (Occurrence, Invitee, Material):
            register(Policy(model, owner=None, parent="event"))
        for model in (Attendance, Minutes):  # type: ignore[assignment]
            register(Policy(model, owner=None, parent="occurrence"))
        for model in (Decision, ActionItem):  # type: ignore[assignment]
            register(Policy(model, owner=None, parent="minutes"))
        register(Policy(Room, owner="institution"))
