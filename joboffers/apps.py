from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from cooperation.roles import ADVISOR_ROLES, SOCIAL_WORKER_ROLES, STAFF_ROLES


class JoboffersConfig(AppConfig):
    name = "joboffers"
    verbose_name = _("Job offers and noticeboards")

    def ready(self) -> None:
        from agreements.models import Scope
        from agreements.scope import on_scope_lost
        from clients.panels import ClientPanel, register_client_panel
        from clients.timeline import register_timeline_source
        from cooperation.navigation import HomeSection, NavItem, register_home_section, register_nav

        from .matching import client_panel_context
        from .selectors import home_new_on_my_board, home_offers_ending
        from .services import publications_end_between
        from .timeline import proposal_entries

        on_scope_lost(Scope.JOB_OFFERS, publications_end_between)
        register_timeline_source(proposal_entries)
        register_client_panel(
            ClientPanel(
                key="joboffers",
                template="joboffers/client_panel.html",
                context=client_panel_context,
                order=40,
            )
        )

        register_nav(NavItem(_("Job offers"), "joboffers:home", STAFF_ROLES, order=40))
        register_home_section(
            HomeSection(
                key="joboffers_new_on_board",
                title=_("New on your noticeboard this week"),
                template="joboffers/home/offers.html",
                items=home_new_on_my_board,
                roles=SOCIAL_WORKER_ROLES,
                order=40,
                empty=_("No new job offers this week."),
                more_url_name="joboffers:home",
            )
        )
        register_home_section(
            HomeSection(
                key="joboffers_ending",
                title=_("Your job offers ending within 7 days"),
                template="joboffers/home/offers.html",
                items=home_offers_ending,
                roles=ADVISOR_ROLES,
                order=40,
                empty=_("No published offer ends this week."),
                more_url_name="joboffers:home",
            )
        )
