"""What job offers add to the rest of the app (see cooperation/hooks.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from agreements.models import Scope
from agreements.scope import scope_lost_hook
from clients.panels import ClientPanel
from cooperation import hooks
from cooperation.navigation import HomeSection, NavItem
from cooperation.roles import ADVISOR_ROLES, SOCIAL_WORKER_ROLES, STAFF_ROLES

from .matching import client_panel_context
from .selectors import home_new_on_my_board, home_offers_ending
from .services import publications_end_between
from .timeline import proposal_entries

hooks.register(scope_lost_hook(Scope.JOB_OFFERS), publications_end_between)
hooks.register("client_timeline", proposal_entries)
hooks.register(
    "client_panels",
    ClientPanel(
        key="joboffers",
        template="joboffers/client_panel.html",
        context=client_panel_context,
        order=40,
        lazy=True,
        label=_("Job offers that fit"),
    ),
)

hooks.register("nav_items", NavItem(_("Job offers"), "joboffers:home", STAFF_ROLES, order=40))
hooks.register(
    "home_sections",
    HomeSection(
        key="joboffers_new_on_board",
        title=_("New on your noticeboard this week"),
        template="joboffers/home/offers.html",
        items=home_new_on_my_board,
        roles=SOCIAL_WORKER_ROLES,
        order=40,
        empty=_("No new job offers this week."),
        more_url_name="joboffers:home",
        lazy=True,
    ),
)
hooks.register(
    "home_sections",
    HomeSection(
        key="joboffers_ending",
        title=_("Your job offers ending within 7 days"),
        template="joboffers/home/offers.html",
        items=home_offers_ending,
        roles=ADVISOR_ROLES,
        order=40,
        empty=_("No published offer ends this week."),
        more_url_name="joboffers:home",
        lazy=True,
    ),
)
