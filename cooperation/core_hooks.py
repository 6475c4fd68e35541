"""The core's own entries in the navigation and on the home page (the other apps'
are in their `hooks.py`; this app's `hooks` module is the mechanism itself)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from . import hooks
from .navigation import HomeSection, NavItem
from .roles import MANAGING_ROLES
from .selectors import home_pending_invitations, home_recent_audit

hooks.register("nav_items", NavItem(_("Home"), "home", order=0))
hooks.register(
    "nav_items", NavItem(_("People"), "cooperation:people", MANAGING_ROLES, 80, more=True)
)
hooks.register(
    "nav_items", NavItem(_("Audit log"), "cooperation:audit", MANAGING_ROLES, 90, more=True)
)
hooks.register(
    "nav_items", NavItem(_("Institution"), "cooperation:institution", order=95, more=True)
)

hooks.register(
    "home_sections",
    HomeSection(
        key="pending_invitations",
        title=_("Invitations not yet accepted"),
        template="cooperation/home/invitations.html",
        items=home_pending_invitations,
        roles=MANAGING_ROLES,
        order=80,
        empty=_("Everyone you invited has set a password."),
        more_url_name="cooperation:people",
        lazy=True,
    ),
)
hooks.register(
    "home_sections",
    HomeSection(
        key="recent_audit",
        title=_("Recent access to personal data in your institution"),
        template="cooperation/home/audit.html",
        items=home_recent_audit,
        roles=MANAGING_ROLES,
        order=90,
        empty=_("Nothing recorded yet."),
        more_url_name="cooperation:audit",
        lazy=True,
    ),
)
