"""The rule of recommendation 3: basic (living, material) needs first, then employment.

The precise definition is in the docstring of `models.py`; in short, a basic
need assessed critical is *unaddressed* until a step in its area is in progress
or done, and a vocational step scheduled meanwhile needs a justification.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import (
    ADDRESSING_STATUSES,
    AREA_ORDER,
    BASIC_AREAS,
    OPEN_STEP_STATUSES,
    Area,
    NeedAssessment,
    NeedLevel,
    ReintegrationPlan,
    Step,
    is_vocational,
)


def critical_gaps(needs: Iterable[NeedAssessment], steps: Iterable[Step]) -> list[str]:
    """Basic-needs areas assessed critical with no step in that area in progress or done.

    Pure: works on prefetched rows (the plan page) or fresh ones (the services).
    """
    addressed = {s.area for s in steps if s.status in ADDRESSING_STATUSES}
    return sorted(
        (
            n.area
            for n in needs
            if n.area in BASIC_AREAS and n.level == NeedLevel.CRITICAL and n.area not in addressed
        ),
        key=AREA_ORDER.__getitem__,
    )


def check_basic_needs_first(
    plan: ReintegrationPlan, *, area: str, status: str, justification: str, step: Step | None
) -> None:
    """A vocational step scheduled before critical basic needs are addressed needs a reason."""
    if not is_vocational(area) or status not in OPEN_STEP_STATUSES or justification.strip():
        return
    others = Step.objects.filter(plan=plan).exclude(pk=getattr(step, "pk", None))  # type: ignore[misc]
    gaps = critical_gaps(NeedAssessment.objects.filter(plan=plan), others)
    if gaps:
        raise ValidationError(
            {
                "justification": _(
                    "Basic needs come first: %(areas)s assessed critical and no step in "
                    "that area is in progress or done yet. Explain why this vocational step "
                    "is scheduled now."
                )
                % {"areas": ", ".join(str(Area(a).label) for a in gaps)}
            }
        )
