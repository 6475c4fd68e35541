"""What R7 adds to a client's page: timeline entries and the programmes panel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.timeline import TimelineEntry
from cooperation.http import MemberRequest
from cooperation.permissions import VIEW, can

from .models import CaseAction, ProgrammeOutcome
from .selectors import cases_visible_to, programmes_of

if TYPE_CHECKING:
    from clients.models import Client
    from cooperation.models import User


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


def _action_at(action: CaseAction) -> dt.datetime:
    """When an action recorded on the day it happened took place: its recording time,
    so it sorts among the case's other events of that day (noon would put a morning
    action after the afternoon's closing, or an afternoon one before the morning's);
    an action entered later for an earlier day sits at that day's noon."""
    if timezone.localdate(action.created_at) == action.happened_on:
        return action.created_at
    return _at(action.happened_on)


def promotion_timeline(client: Client, user: User) -> Iterable[TimelineEntry]:
    """Programmes and the progress of promotion cases the user may see. Three queries."""
    for p in programmes_of(client):
        yield TimelineEntry(
            _at(p.started_on),
            _("Programme"),
            _("%(k)s started") % {"k": p.get_kind_display()},
            institution=p.institution_name,
        )
        if p.ended_on:
            yield TimelineEntry(
                _at(p.ended_on),
                _("Programme"),
                f"{p.get_kind_display()}: {p.get_outcome_display()}",
                institution=p.institution_name,
            )
    cases = (
        cases_visible_to(user)
        .filter(client=client)
        .prefetch_related(Prefetch("actions", queryset=CaseAction.objects.select_related("offer")))
    )
    for case in cases:
        url = case.get_absolute_url()
        yield TimelineEntry(
            case.proposed_at,
            _("Promotion"),
            _("Proposed to %(office)s") % {"office": case.target.name},
            url=url,
            institution=case.proposer.name,
        )
        if case.taken_at:
            yield TimelineEntry(
                case.taken_at,
                _("Promotion"),
                _("Taken by an advisor"),
                detail=case.assigned_to.display_name if case.assigned_to else "",
                url=url,
                institution=case.target.name,
            )
        for action in case.actions.all():
            yield TimelineEntry(
                _action_at(action),
                _("Promotion"),
                action.get_kind_display(),
                detail=action.offer.position if action.offer else "",
                url=url,
                institution=case.target.name,
            )
        if case.closed_at:
            yield TimelineEntry(
                case.closed_at,
                _("Promotion"),
                _("Closed: %(outcome)s") % {"outcome": case.get_outcome_display()},
                url=url,
                institution=case.target.name,
            )


def client_panel_context(request: MemberRequest, client: Client) -> dict[str, Any] | None:
    """The client's programmes and cases; shown to casework roles who may see the client."""
    if not can(request.user, client, VIEW):
        return None
    programmes = list(programmes_of(client))
    return {
        "programmes": programmes,
        "cases": list(cases_visible_to(request.user).filter(client=client)),
        "ongoing": ProgrammeOutcome.ONGOING,
    }
