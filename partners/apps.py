from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from cooperation.roles import CASEWORK_ORGANISERS, PARTNER_STAFF_ROLES, REFERRAL_ROLES


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("NGO and social economy partners")

    def ready(self) -> None:
        from agreements.models import Scope
        from agreements.scope import on_scope_lost
        from clients.panels import ClientPanel, register_client_panel
        from clients.retention import register_retention_rule
        from clients.timeline import register_timeline_source
        from cooperation.navigation import HomeSection, NavItem, register_home_section, register_nav

        from .retention import REFERRAL_SNAPSHOTS
        from .selectors import home_referrals_to_watch, home_waiting_for_answer
        from .services import referrals_withdraw_between
        from .timeline_sources import referral_entries, referral_panel

        on_scope_lost(Scope.REFERRALS, referrals_withdraw_between)
        register_retention_rule(REFERRAL_SNAPSHOTS)
        register_timeline_source(referral_entries)
        register_client_panel(
            ClientPanel(
                key="referrals",
                template="partners/_client_panel.html",
                context=referral_panel,
                order=40,
            )
        )
        register_nav(NavItem(_("Referrals"), "partners:referrals", REFERRAL_ROLES, order=15))
        register_nav(NavItem(_("Partners"), "partners:directory", order=45))
        register_nav(NavItem(_("Our services"), "partners:catalogue", PARTNER_STAFF_ROLES, 16))
        register_home_section(
            HomeSection(
                key="referrals_to_answer",
                title=_("New referrals waiting for your answer"),
                template="partners/home/to_answer.html",
                items=home_waiting_for_answer,
                roles=PARTNER_STAFF_ROLES,
                order=3,
                empty=_("No referral is waiting for an answer."),
                more_url_name="partners:referrals",
            )
        )
        register_home_section(
            HomeSection(
                key="referrals_to_watch",
                title=_("Referrals waiting or overdue"),
                template="partners/home/to_watch.html",
                items=home_referrals_to_watch,
                roles=CASEWORK_ORGANISERS,
                order=12,
                empty=_("None of your referrals is waiting."),
                more_url_name="partners:referrals",
            )
        )
