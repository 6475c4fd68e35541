"""What the indicators app adds to the shared pages (see cooperation.hooks)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cooperation import hooks
from cooperation.navigation import HomeSection, NavItem
from cooperation.roles import MANAGING_ROLES

from .reports import home_reports_waiting

hooks.register(
    "nav_items",
    NavItem(_("Indicators"), "indicators:dashboard", MANAGING_ROLES, order=70, more=True),
)
hooks.register(
    "home_sections",
    HomeSection(
        key="indicators_reports",
        title=_("Annual reports waiting for your approval"),
        template="indicators/home/reports.html",
        items=home_reports_waiting,
        roles=MANAGING_ROLES,
        order=60,
        empty=_("No annual report is waiting for your approval."),
        more_url_name="indicators:dashboard",
        lazy=True,
    ),
)
