from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from cooperation.roles import CASEWORK_ROLES


class ReintegrationConfig(AppConfig):
    name = "reintegration"
    verbose_name = _("Reintegration plans and the promotion queue")

    def ready(self) -> None:
        from agreements.models import Scope
        from agreements.scope import on_scope_lost
        from clients.services import register_anonymiser, register_share_ended
        from clients.timeline import register_timeline_source
        from cooperation.audit import register_audit_person
        from cooperation.navigation import HomeSection, NavItem, register_home_section, register_nav

        from .models import (
            ReintegrationPlan,
        )
        from .selectors import (
            home_overdue_steps,
            home_reviews_due,
        )
        from .timeline import plan_timeline

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
