from __future__ import annotations

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from .roles import MANAGING_ROLES


class CooperationConfig(AppConfig):
    name = "cooperation"
    verbose_name = _("Cooperation: institutions and users")

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects the auth audit receivers
        from .celery import connect_signals
        from .navigation import HomeSection, NavItem, register_home_section, register_nav
        from .selectors import home_pending_invitations, home_recent_audit

        connect_signals()  # eager tasks marked after_response run after the response
        # Each app's policies live in its permissions.py (the core's in this app's own).
        autodiscover_modules("permissions")

        register_nav(NavItem(_("Home"), "home", order=0))
        register_nav(NavItem(_("People"), "cooperation:people", MANAGING_ROLES, 80, more=True))
        register_nav(NavItem(_("Audit log"), "cooperation:audit", MANAGING_ROLES, 90, more=True))
        register_nav(NavItem(_("Institution"), "cooperation:institution", order=95, more=True))

        register_home_section(
            HomeSection(
                key="pending_invitations",
                title=_("Invitations not yet accepted"),
                template="cooperation/home/invitations.html",
                items=home_pending_invitations,
                roles=MANAGING_ROLES,
                order=80,
                empty=_("Everyone you invited has set a password."),
                more_url_name="cooperation:people",
            )
        )
        register_home_section(
            HomeSection(
                key="recent_audit",
                title=_("Recent access to personal data in your institution"),
                template="cooperation/home/audit.html",
                items=home_recent_audit,
                roles=MANAGING_ROLES,
                order=90,
                empty=_("Nothing recorded yet."),
                more_url_name="cooperation:audit",
            )
        )
