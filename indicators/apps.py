from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("Cooperation indicators and annual reports")

    def ready(self) -> None:
        from cooperation.models import MANAGING_ROLES
        from cooperation.navigation import NavItem, register_nav
        from cooperation.permissions import Policy, register

        from .models import AnnualReport

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
