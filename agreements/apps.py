from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from cooperation.roles import MANAGING_ROLES


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = _("Cooperation agreements and coordinators")

    def ready(self) -> None:
        from cooperation.navigation import HomeSection, NavItem, register_home_section, register_nav

        from .selectors import home_agreements_expiring, home_agreements_waiting

        register_nav(NavItem(_("Agreements"), "agreements:list", order=50))
        register_nav(NavItem(_("Network"), "agreements:network", order=60, more=True))
        register_home_section(
            HomeSection(
                key="agreements_waiting",
                title=_("Agreements waiting for you"),
                template="agreements/home/agreements.html",
                items=home_agreements_waiting,
                roles=MANAGING_ROLES,
                order=20,
                empty=_("No agreement is waiting for your institution."),
                more_url_name="agreements:list",
            )
        )
        register_home_section(
            HomeSection(
                key="agreements_expiring",
                title=_("Agreements ending within 30 days"),
                template="agreements/home/agreements.html",
                items=home_agreements_expiring,
                roles=MANAGING_ROLES,
                order=30,
                empty=_("No agreement ends soon."),
                more_url_name="agreements:list",
            )
        )
