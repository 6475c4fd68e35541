"""The plan's version history: recording what changed, and showing it.

A change is stored as a list of {"field", "old", "new"} with plain strings:
raw values for choice fields (so they are shown in the reader's language),
ISO dates, and the names of people and institutions as they were then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats
from django.utils.translation import gettext as _

from cooperation.models import Institution, User
from cooperation.processing import SpecialCategoryGround

from .models import (
    Area,
    ChangeKind,
    NeedLevel,
    PlanChange,
    PlanOutcome,
    ReintegrationPlan,
    Step,
    StepStatus,
)

STEP_FIELDS = (
    "goal",
    "area",
    "title",
    "institution",
    "responsible",
    "due_date",
    "status",
    "outcome",
    "justification",
)
PEOPLE_FIELDS = ("social_worker", "client_advisor", "coordinator", "next_review_date")
_CHOICES: dict[str, type[models.TextChoices]] = {
    "area": Area,
    "status": StepStatus,
    "special_category_ground": SpecialCategoryGround,
    "closing_outcome": PlanOutcome,
}


def as_text(value: Any) -> str:
    """A value as it is kept in the history."""
    if value is None:
        return ""
    if isinstance(value, User):
        return value.display_name
    if isinstance(value, Institution):
        return value.name
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, str]:
    return {name: as_text(getattr(obj, name)) for name in fields}


def diff(old: Mapping[str, str], new: Mapping[str, str]) -> list[dict[str, str]]:
    return [
        {"field": name, "old": old.get(name, ""), "new": value}
        for name, value in new.items()
        if old.get(name, "") != value
    ]


def record(
    *,
    plan: ReintegrationPlan,
    kind: str,
    actor: User,
    institution: Institution | None,
    subject: str = "",
    changes: list[dict[str, str]] | None = None,
    step: Step | None = None,
) -> PlanChange:
    return PlanChange.objects.create(
        plan=plan,
        kind=kind,
        actor=actor,
        institution=institution,
        subject=subject[:250],
        changes=changes or [],
        step=step,
    )


@dataclass(frozen=True)
class ChangeRow:
    label: str
    old: str
    new: str


def _label(field: str) -> str:
    if ":" in field:  # needs assessment: "level:housing" / "note:housing"
        part, area = field.split(":", 1)
        name = Area(area).label if area in Area.values else area
        return f"{name} — {_('level') if part == 'level' else _('note')}"
    if field == "participants":
        return str(_("institutions taking part"))
    for model in (Step, ReintegrationPlan):
        try:
            return str(model._meta.get_field(field).verbose_name)  # type: ignore[union-attr]
        except (FieldDoesNotExist, AttributeError):  # not a field here, or a reverse relation
            continue
    return field


def _value(field: str, raw: str) -> str:
    if not raw:
        return "—"
    if field.startswith("level:") and raw in NeedLevel.values:
        return str(NeedLevel(raw).label)
    choices = _CHOICES.get(field)
    if choices is not None and raw in choices.values:
        return str(choices(raw).label)
    if field in ("due_date", "next_review_date", "held_on"):
        try:
            return formats.date_format(dt.date.fromisoformat(raw), "j E Y")
        except ValueError:
            return raw
    return raw


def rows(change: PlanChange) -> list[ChangeRow]:
    """A stored change as (label, old, new) rows in the reader's language."""
    return [
        ChangeRow(
            _label(c["field"]),
            _value(c["field"], c.get("old", "")),
            _value(c["field"], c.get("new", "")),
        )
        for c in change.changes
    ]


def title(change: PlanChange) -> str:
    """One line for a change: its kind and what it was about."""
    label = str(ChangeKind(change.kind).label) if change.kind in ChangeKind.values else change.kind
    return f"{label}: {change.subject}" if change.subject else label
