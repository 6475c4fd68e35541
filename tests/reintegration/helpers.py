"""Helpers for the plan tests: dates, sharing a client, assessing needs, adding steps."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cooperation.processing import SpecialCategoryGround
from cooperation.services import object_share
from reintegration import services
from reintegration.models import Area, StepStatus

TODAY = timezone.localdate()


def soon(days: int = 14) -> dt.date:
    return TODAY + dt.timedelta(days=days)


def share(client, partner, owner) -> None:
    object_share(
        obj=client,
        institution=partner,
        actions=["view", "change"],
        acting_user=owner,
        reason="zgoda klienta",
    )


def assess(plan, user, **levels: str) -> None:
    services.needs_assess(
        plan=plan,
        acting_user=user,
        assessments={area: (level, f"notatka {area}") for area, level in levels.items()},
        special_category_ground=SpecialCategoryGround.SOCIAL_PROTECTION,
    )


def add_step(plan, user, goal, *, area=Area.HOUSING, institution=None, responsible=None, **kw):
    data = {
        "title": f"Krok {area}",
        "due_date": soon(),
        "status": StepStatus.PLANNED,
    }
    data.update(kw)
    return services.step_add(
        plan=plan,
        acting_user=user,
        goal=goal,
        area=area,
        institution=institution or user.memberships.get(is_active=True).institution,
        responsible=responsible or user,
        **data,
    )


def set_status(step, user, status, *, outcome=None):  # type: ignore[no-untyped-def]
    """The step with a new status and nothing else changed (a done or dropped step gets
    an outcome, as the form requires)."""
    if outcome is None:
        outcome = "-" if status in (StepStatus.DONE, StepStatus.DROPPED) else ""
    return services.step_update(
        step=step,
        acting_user=user,
        goal=step.goal,
        area=step.area,
        title=step.title,
        institution=step.institution,
        responsible=step.responsible,
        due_date=step.due_date,
        status=status,
        outcome=outcome,
    )
