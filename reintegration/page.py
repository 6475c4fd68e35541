"""What the plan page (and the PDF) shows, built from a plan fetched by
`selectors.plan_get_for_user`: everything comes from the prefetched rows, so
the page costs the same number of queries for three steps or three hundred."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from cooperation.models import User

from . import history
from .models import (
    AREA_ORDER,
    BASIC_AREAS,
    Area,
    ChangeKind,
    Goal,
    PlanChange,
    ReintegrationPlan,
    Step,
)
from .rules import critical_gaps
from .selectors import HISTORY_ON_PAGE, plan_can_act, plan_history, plan_is_holder, step_can_edit


@dataclass
class GoalView:
    goal: Goal
    steps: list[Step] = field(default_factory=list)


@dataclass(frozen=True)
class ChangeView:
    change: PlanChange
    title: str
    rows: list[history.ChangeRow]


def _step_order(step: Step) -> tuple[int, Any, int]:
    # Basic needs first (R3), then by due date.
    return (AREA_ORDER.get(step.area, 99), step.due_date, step.pk)


def r3_status(plan: ReintegrationPlan) -> dict[str, Any]:
    """The critical basic needs still unaddressed, and the open vocational steps
    scheduled before them (with or without a justification)."""
    steps = list(plan.steps.all())
    gaps = critical_gaps(plan.needs.all(), steps)
    early = [s for s in steps if gaps and s.is_vocational and s.is_open]
    return {
        "r3_gaps": [Area(a).label for a in gaps],
        "r3_steps": sorted(early, key=_step_order),
    }


def goals_with_steps(plan: ReintegrationPlan) -> list[GoalView]:
    views = {g.pk: GoalView(g) for g in plan.goals.all()}
    for step in sorted(plan.steps.all(), key=_step_order):
        views[step.goal_id].steps.append(step)
    return list(views.values())


# On the plan page a new step or plan is named, not listed field by field;
# the full history page shows every value.
BRIEF_KINDS = frozenset({ChangeKind.CREATED, ChangeKind.STEP_ADDED})


def history_views(changes: list[PlanChange], *, brief: bool = False) -> list[ChangeView]:
    return [
        ChangeView(c, history.title(c), [] if brief and c.kind in BRIEF_KINDS else history.rows(c))
        for c in changes
    ]


def plan_page_context(plan: ReintegrationPlan, user: User) -> dict[str, Any]:
    today = timezone.localdate()
    can_act = plan_can_act(plan, user)
    goals = goals_with_steps(plan)
    r3 = r3_status(plan)
    flagged = {s.pk for s in r3["r3_steps"]}
    for view in goals:
        for step in view.steps:
            step.can_edit = can_act and step_can_edit(step, plan, user)  # type: ignore[attr-defined]
            step.r3_flag = step.pk in flagged  # type: ignore[attr-defined]
    needs = sorted(plan.needs.all(), key=lambda n: AREA_ORDER.get(n.area, 99))
    steps = list(plan.steps.all())
    return {
        "plan": plan,
        "client": plan.client,
        "participants": list(plan.participants.all()),
        "basic_needs": [n for n in needs if n.area in BASIC_AREAS],
        "vocational_needs": [n for n in needs if n.area not in BASIC_AREAS],
        "goals": goals,
        "reviews": list(plan.reviews.all()),
        "history": history_views(list(plan_history(plan)[:HISTORY_ON_PAGE]), brief=True),
        "open_steps": sum(1 for s in steps if s.is_open),
        "overdue_steps": sum(1 for s in steps if s.is_open and s.due_date < today),
        "can_act": can_act,
        "is_holder": plan_is_holder(plan, user),
        "today": today,
        **r3,
    }
