from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReintegrationConfig(AppConfig):
    name = "reintegration"
    verbose_name = _("Reintegration plans and the promotion queue")

    def ready(self) -> None:
        from clients.services import register_anonymiser
        from clients.timeline import register_timeline_source
        from cooperation.navigation import HomeSection, NavItem, register_home_section, register_nav
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
        from .selectors import (
            CASEWORK_ROLES,
            home_overdue_steps,
            home_reviews_due,
            joint_plans_condition,
        )
        from .timeline import plan_timeline

        # A plan inherits its client's visibility, and is visible to a partner only
        # while an agreement in force also covers joint plans; its parts inherit the plan's.
        roles = {VIEW: CASEWORK_ROLES, CHANGE: CASEWORK_ROLES}
        register(
            Policy(
                ReintegrationPlan,
                owner=None,
                parent="client",
                roles=roles,
                condition=joint_plans_condition,
            )
        )
        for model in (Participant, NeedAssessment, Goal, Step, Review, PlanChange):
            register(Policy(model, owner=None, parent="plan", roles=roles))

        from agreements.models import Scope
        from agreements.scope import on_scope_lost
        from clients.services import register_share_ended
        from cooperation.audit import register_audit_person

        register_audit_person(ReintegrationPlan, path="client")

        from .services import plans_anonymise, plans_on_joint_plans_lost, plans_on_share_ended

        register_anonymiser(plans_anonymise)
        # A partner that can no longer see the client leaves its plans; its open
        # steps return to the owning institution.
        register_share_ended(plans_on_share_ended)
        on_scope_lost(Scope.JOINT_PLANS, plans_on_joint_plans_lost)
        register_nav(NavItem(_("Plans"), "reintegration:list", CASEWORK_ROLES, order=20))
        register_home_section(
            HomeSection(
                key="reintegration_overdue_steps",
                title=_("Your overdue plan steps"),
                template="reintegration/home/overdue_steps.html",
                items=home_overdue_steps,
                roles=CASEWORK_ROLES,
                order=12,
                empty=_("None of your plan steps is overdue."),
                more_url_name="reintegration:my_steps",
            )
        )
        register_home_section(
            HomeSection(
                key="reintegration_reviews_due",
                title=_("Plan reviews due"),
                template="reintegration/home/reviews_due.html",
                items=home_reviews_due,
                roles=CASEWORK_ROLES,
                order=14,
                empty=_("No review of your plans is due this week."),
                more_url_name="reintegration:list",
            )
        )
        register_timeline_source(plan_timeline)
