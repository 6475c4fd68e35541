from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("Cooperation indicators and annual reports")

    def ready(self) -> None:
        from cooperation.models import MANAGING_ROLES
        from cooperation.navigation import HomeSection, NavItem, register_home_section, register_nav
        from cooperation.permissions import Policy, register

        from .models import AnnualReport
        from .reports import home_reports_waiting

        # A report belongs to the agreement's parties; the agreement's own
        # policy decides who sees it, so the report has no grants of its own.
        register(
            Policy(
                AnnualReport,
                owner=None,
                parent="agreement",
                roles={"view": MANAGING_ROLES, "change": MANAGING_ROLES},
            )
        )
        register_nav(
            NavItem(_("Indicators"), "indicators:dashboard", MANAGING_ROLES, order=70, more=True)
        )
        register_home_section(
            HomeSection(
                key="indicators_reports",
                title=_("Annual reports waiting for your approval"),
                template="indicators/home/reports.html",
                items=home_reports_waiting,
                roles=MANAGING_ROLES,
                order=60,
                empty=_("No annual report is waiting for your approval."),
                more_url_name="indicators:dashboard",
            )
        )
