"""Fixtures for the meetings tests: an agreement in force between `own` (MOPS)
and `partner` (PUP), their coordinators, and a helper to schedule events."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.translation import gettext

from cooperation.models import Role
from meetings import services
from meetings.services import EventData

from ..factories import agreement_between, member

WARSAW = timezone.get_default_timezone()


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """An aware Warsaw datetime."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=WARSAW)


def in_days(days: int, hour: int = 10) -> dt.datetime:
    return at(timezone.localdate() + dt.timedelta(days=days), hour)


def subject_prefix(msgid: str) -> str:
    """The translated subject up to the event's title, e.g. "Invitation: " in Polish."""
    return gettext(msgid).split("%(", 1)[0]


def event_data(**overrides: object) -> EventData:
    start = overrides.pop("starts_at", None) or in_days(7)
    values: dict[str, object] = {
        "kind": "meeting",
        "title": "Spotkanie zespołu współpracy",
        "starts_at": start,
        "ends_at": start + dt.timedelta(hours=2),
    }
    values.update(overrides)
    return EventData(**values)  # type: ignore[arg-type]


def schedule(user, *, institutions=(), people=(), allow_past=False, confirm_overlap=False, **data):
    return services.event_schedule(
        acting_user=user,
        data=event_data(**data),
        institutions=list(institutions),
        people=list(people),
        allow_past=allow_past,
        confirm_overlap=confirm_overlap,
    )


@pytest.fixture
def agreement(own, partner):
    return agreement_between(own, partner)


@pytest.fixture
def partner_coordinator(partner):
    return member(partner, Role.COORDINATOR, username="pup-coordinator", last_name="Pupowska")


@pytest.fixture
def partner_advisor(partner):
    return member(partner, Role.CLIENT_ADVISOR, username="pup-advisor", last_name="Doradczyk")
