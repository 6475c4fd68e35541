"""What promotion adds to the rest of the app (see cooperation/hooks.py)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agreements.models import Scope
from agreements.scope import scope_lost_hook
from clients.panels import ClientPanel
from cooperation import hooks, processing
from cooperation.models import User
from cooperation.navigation import HomeSection, NavItem
from cooperation.permissions import can, membership_of
from cooperation.roles import ADVISOR_AND_COORDINATOR_ROLES, CASEWORK_ROLES
from partners.models import Referral
from partners.selectors import ReferralLink

from .retention import PROMOTION_CASES
from .selectors import home_overdue_cases
from .services import cases_anonymise, cases_withdraw_between
from .timeline import client_panel_context, promotion_timeline

hooks.register(scope_lost_hook(Scope.PROMOTION), cases_withdraw_between)
hooks.register("client_anonymised", cases_anonymise)
hooks.register("retention_rules", PROMOTION_CASES)
hooks.register("client_timeline", promotion_timeline)
hooks.register(
    "client_panels",
    ClientPanel(
        key="promotion",
        template="promotion/client_panel.html",
        context=client_panel_context,
        order=40,
        lazy=True,
        label=_("Social contracts and programmes"),
    ),
)
hooks.register("nav_items", NavItem(_("Promotion"), "promotion:queue", CASEWORK_ROLES, order=35))
hooks.register(
    "home_sections",
    HomeSection(
        key="promotion_overdue",
        title=_("Promotion cases untouched for 14 days"),
        template="promotion/home/overdue.html",
        items=home_overdue_cases,
        roles=ADVISOR_AND_COORDINATOR_ROLES,
        order=16,
        empty=_("No promotion case is overdue."),
        more_url_name="promotion:queue",
        lazy=True,
    ),
)


@hooks.register("referral_links")
def propose_from_referral(referral: Referral, user: User) -> ReferralLink | None:
    """A CIS/KIS passes a participant on to the labour office's promotion queue (R7)."""
    # Only the organisation that ran the programme may propose: answered from the row
    # already on the page, so the referrer's page does not pay the policy's visibility
    # query for a button it never shows; the full rule (can) still decides.
    membership = membership_of(user)
    if membership is None or referral.partner_id != membership.institution_id:
        return None
    if not can(user, referral, "propose"):
        return None
    url = reverse("promotion:propose_referral", args=[referral.pk])
    return ReferralLink("referral-propose", url, _("Propose to the labour office"))


@hooks.register("processing_declarations", order=50)
def promotion_declaration() -> processing.Declaration:
    from clients.models import LegalBasis

    months = settings.RETENTION["promotion_cases_months"]
    return processing.Declaration(
        "promotion",
        _("Promotion queue at the labour office"),
        (processing.CLIENTS,),
        (processing.IDENTITY, processing.CONTACT, processing.SITUATION, processing.LABOUR),
        tuple(choice.label for choice in LegalBasis),
        _("%(period)s after the case ends") % {"period": processing.months_text(months)},
        _("the labour office under an agreement covering the promotion queue"),
    )
