"""The procedures section of an agreement (issue 20, part 3): who does what in
each area of cooperation, the deadlines and the coordinators — from the terms,
so the default text, the PDF and the page say the same as the app enforces.

The duties follow what each app does for each kind of institution: the social
assistance side (OPS, PCPR) registers and shares clients and proposes them for
promotion, the labour office (PUP) answers with its offers and takes the
promotion queue, NGOs and PES receive referrals and report outcomes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from cooperation.models import Institution
from cooperation.roles import LABOUR_OFFICE_KINDS, SOCIAL_ASSISTANCE_KINDS

from .models import Coordinator, Scope

SOCIAL = "social"
OFFICE = "office"
PARTNER = "partner"


def _side(kind: str) -> str:
    """Which column of the duties an institution of this kind takes."""
    if kind in SOCIAL_ASSISTANCE_KINDS:
        return SOCIAL
    if kind in LABOUR_OFFICE_KINDS:
        return OFFICE
    return PARTNER


def _duties() -> dict[str, dict[str, str]]:
    """Per scope, per side: the duty. Built at call time so it follows the active language."""
    return {
        Scope.CLIENT_RECORDS: {
            SOCIAL: _(
                "registers the shared client with their consent and keeps the record current"
            ),
            OFFICE: _("reads the shared record and adds notes on registration and activation"),
            PARTNER: _("reads the data the referral carries; does not register clients"),
        },
        Scope.JOINT_PLANS: {
            SOCIAL: _("leads the reintegration plan, basic needs first"),
            OFFICE: _("adds and carries out the employment steps of the plan"),
            PARTNER: _("carries out the plan steps assigned to it"),
        },
        Scope.SEPI: {
            SOCIAL: _("asks SEPI about its clients, with the purpose and legal basis recorded"),
            OFFICE: _("keeps the data SEPI returns up to date"),
            PARTNER: _("does not use SEPI"),
        },
        Scope.JOB_OFFERS: {
            SOCIAL: _("puts the offers on its noticeboards and passes them to clients"),
            OFFICE: _("publishes job offers and internships"),
            PARTNER: _("passes the offers to its participants"),
        },
        Scope.PROMOTION: {
            SOCIAL: _("proposes clients who completed a social contract or programme"),
            OFFICE: _("takes up each proposed case within the deadline and records the outcome"),
            PARTNER: _("proposes participants who completed a CIS or KIS programme"),
        },
        Scope.REFERRALS: {
            SOCIAL: _("refers clients with only the data needed and follows up"),
            OFFICE: _("refers clients with only the data needed and follows up"),
            PARTNER: _("answers each referral within the deadline and records the outcome"),
        },
    }


@dataclass
class DutyRow:
    scope: str
    duties: list[tuple[Institution, str]]


def duties_table(institutions: Iterable[Institution], scopes: Iterable[str]) -> list[DutyRow]:
    """One row per scope of the agreement, one duty per party."""
    table = _duties()
    institutions = list(institutions)
    return [
        DutyRow(
            scope=str(Scope(scope).label),
            duties=[(i, table[scope][_side(i.kind)]) for i in institutions],
        )
        for scope in scopes
    ]


def coordinators_table(
    institutions: Iterable[Institution],
) -> list[tuple[Institution, list[Coordinator]]]:
    """Each party with its coordinator cards (main first, then deputies)."""
    institutions = list(institutions)
    cards: dict[int, list[Coordinator]] = {i.pk: [] for i in institutions}
    for card in Coordinator.objects.filter(institution__in=institutions).select_related("user"):
        cards[card.institution_id].append(card)
    return [(i, cards[i.pk]) for i in institutions]
