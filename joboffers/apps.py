from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JoboffersConfig(AppConfig):
    name = "joboffers"
    verbose_name = _("Job offers and noticeboards")

    def ready(self) -> None:
        from agreements.models import Scope
        from agreements.scope import on_scope_lost
        from clients.panels import ClientPanel, register_client_panel
        from clients.timeline import register_timeline_source
        from cooperation.models import Role
        from cooperation.navigation import HomeSection, NavItem, register_home_section, register_nav
        from cooperation.permissions import CHANGE, VIEW, Policy, register

        from .matching import client_panel_context
        from .models import (
            Board,
            BoardPrint,
            ImportRun,
            JobOffer,
            JobOfferGroupObjectPermission,
            OfferProposal,
        )
        from .selectors import home_new_on_my_board, home_offers_ending
        from .services import CASEWORK_ROLES, OFFICE_ROLES, publications_end_between
        from .timeline import proposal_entries

        # An offer: its labour office sees and acts; a board's institution sees it
        # while it is published there (a grant given and taken with the publication).
        register(
            Policy(
                JobOffer,
                group_permission_model=JobOfferGroupObjectPermission,
                roles={CHANGE: OFFICE_ROLES},
            )
        )
        register(Policy(Board))
        register(Policy(BoardPrint, owner=None, parent="board"))
        register(Policy(ImportRun, roles={VIEW: OFFICE_ROLES, CHANGE: OFFICE_ROLES}))
        # A proposal is part of the client's record and follows the client's visibility.
        register(
            Policy(
                OfferProposal,
                owner=None,
                parent="client",
                roles={VIEW: CASEWORK_ROLES, CHANGE: CASEWORK_ROLES},
            )
        )
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

        staff = frozenset(
            {Role.SOCIAL_WORKER, Role.CLIENT_ADVISOR, Role.COORDINATOR, Role.INSTITUTION_ADMIN}
        )
        register_nav(NavItem(_("Job offers"), "joboffers:home", staff, order=40))
        register_home_section(
            HomeSection(
                key="joboffers_new_on_board",
                title=_("New on your noticeboard this week"),
                template="joboffers/home/offers.html",
                items=home_new_on_my_board,
                roles=frozenset({Role.SOCIAL_WORKER}),
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
                roles=frozenset({Role.CLIENT_ADVISOR}),
                order=40,
                empty=_("No published offer ends this week."),
                more_url_name="joboffers:home",
            )
        )
