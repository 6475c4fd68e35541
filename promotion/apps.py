from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from cooperation.roles import ADVISOR_AND_COORDINATOR_ROLES, CASEWORK_ROLES


class PromotionConfig(AppConfig):
    name = "promotion"
    verbose_name = _("Promotion of clients by the labour office")

    def ready(self) -> None:
        from agreements.models import Scope
        from agreements.scope import on_scope_lost
        from clients.panels import ClientPanel, register_client_panel
        from clients.services import register_anonymiser
        from clients.timeline import register_timeline_source
        from cooperation.navigation import HomeSection, NavItem, register_home_section, register_nav

        from .selectors import home_overdue_cases
        from .services import cases_anonymise, cases_withdraw_between
        from .timeline import client_panel_context, promotion_timeline

        on_scope_lost(Scope.PROMOTION, cases_withdraw_between)
        register_anonymiser(cases_anonymise)
        from clients.retention import register_retention_rule

        from .retention import PROMOTION_CASES

        register_retention_rule(PROMOTION_CASES)
        register_timeline_source(promotion_timeline)
        register_client_panel(
            ClientPanel(
                key="promotion",
                template="promotion/client_panel.html",
                context=client_panel_context,
                order=40,
            )
        )
        register_nav(NavItem(_("Promotion"), "promotion:queue", CASEWORK_ROLES, order=35))
        register_home_section(
            HomeSection(
                key="promotion_overdue",
                title=_("Promotion cases untouched for 14 days"),
                template="promotion/home/overdue.html",
                items=home_overdue_cases,
                roles=ADVISOR_AND_COORDINATOR_ROLES,
                order=16,
                empty=_("No promotion case is overdue."),
                more_url_name="promotion:queue",
            )
        )
