from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = _("Cooperation agreements and coordinators")

    def ready(self) -> None:
        from cooperation.models import MANAGING_ROLES
        from cooperation.navigation import HomeSection, NavItem, register_home_section, register_nav
        from cooperation.permissions import CHANGE, Policy, register

        from .models import Agreement, Annex, Attachment, Coordinator
        from .selectors import home_agreements_expiring, home_agreements_waiting

        # Visible to every party's staff (workers read); only coordinators and admins act.
        register(Policy(Agreement, owner="parties__institution", roles={CHANGE: MANAGING_ROLES}))
        register(Policy(Attachment, owner=None, parent="agreement", roles={CHANGE: MANAGING_ROLES}))
        register(Policy(Annex, owner=None, parent="agreement", roles={CHANGE: MANAGING_ROLES}))
        register(Policy(Coordinator, roles={CHANGE: MANAGING_ROLES}))

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
