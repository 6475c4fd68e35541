"""What partners add to the rest of the app (see cooperation/hooks.py)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from agreements.models import Scope
from agreements.scope import scope_lost_hook
from clients.panels import ClientPanel
from cooperation import hooks, processing
from cooperation.navigation import HomeSection, NavItem
from cooperation.roles import CASEWORK_ORGANISERS, PARTNER_STAFF_ROLES, REFERRAL_ROLES

from .retention import REFERRAL_SNAPSHOTS
from .selectors import home_referrals_to_watch, home_waiting_for_answer
from .services import referrals_withdraw_between
from .timeline_sources import referral_entries, referral_panel

hooks.register(scope_lost_hook(Scope.REFERRALS), referrals_withdraw_between)
hooks.register("retention_rules", REFERRAL_SNAPSHOTS)
hooks.register("client_timeline", referral_entries)
hooks.register(
    "client_panels",
    ClientPanel(
        key="referrals",
        template="partners/_client_panel.html",
        context=referral_panel,
        order=40,
        lazy=True,
        label=_("Referrals"),
    ),
)
hooks.register("nav_items", NavItem(_("Referrals"), "partners:referrals", REFERRAL_ROLES, order=15))
hooks.register("nav_items", NavItem(_("Partners"), "partners:directory", order=45))
hooks.register(
    "nav_items",
    NavItem(_("Our services"), "partners:catalogue", PARTNER_STAFF_ROLES, 16),
)
hooks.register(
    "home_sections",
    HomeSection(
        key="referrals_to_answer",
        title=_("New referrals waiting for your answer"),
        template="partners/home/to_answer.html",
        items=home_waiting_for_answer,
        roles=PARTNER_STAFF_ROLES,
        order=3,
        empty=_("No referral is waiting for an answer."),
        more_url_name="partners:referrals",
    ),
)
hooks.register(
    "home_sections",
    HomeSection(
        key="referrals_to_watch",
        title=_("Referrals waiting or overdue"),
        template="partners/home/to_watch.html",
        items=home_referrals_to_watch,
        roles=CASEWORK_ORGANISERS,
        order=12,
        empty=_("None of your referrals is waiting."),
        more_url_name="partners:referrals",
        lazy=True,  # more than one indexed lookup: loaded after the first paint
    ),
)


@hooks.register("processing_declarations", order=40)
def referrals_declaration() -> processing.Declaration:
    from clients.models import LegalBasis

    months = settings.RETENTION["referral_snapshots_months"]
    return processing.Declaration(
        "referrals",
        _("Referrals to partner organisations"),
        (processing.CLIENTS,),
        (processing.IDENTITY, processing.CONTACT, processing.SITUATION),
        tuple(choice.label for choice in LegalBasis),
        _("data sent with an ended referral: %(period)s")
        % {"period": processing.months_text(months)},
        _("the partner organisation receiving the referral"),
    )
