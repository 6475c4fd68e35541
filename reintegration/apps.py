from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReintegrationConfig(AppConfig):
    name = "reintegration"
    verbose_name = _("Reintegration plans and the promotion queue")

    def ready(self) -> None:
        from cooperation.permissions import CHANGE, VIEW, Policy, register

        from .models import (
            Goal,
            NeedAssessment,
            Participant,
            PlanChange,
            ReintegrationPlan,
            Review,
            Step,
        )
        from .selectors import CASEWORK_ROLES, joint_plans_condition

        # A plan inherits its client's visibility, and is visible to a partner only
        # while an agreement in force also covers joint plans; its parts inherit the plan's.
        roles = {VIEW: CASEWORK_ROLES, CHANGE: CASEWORK_ROLES}
        register(
            Policy(
                ReintegrationPlan,
                owner=None,
                parent="client",
                roles=roles,  # type: ignore[arg-type]
                condition=joint_plans_condition,
            )
        )
        for model in (Participant, NeedAssessment, Goal, Step, Review, PlanChange):
            register(Policy(model, owner=None, parent="plan", roles=roles))  # type: ignore[arg-type]
