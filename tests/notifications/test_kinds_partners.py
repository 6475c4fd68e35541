# ruff: noqa: F811 - the partners fixtures, imported, are parameters here
"""Referrals tell the other side: the organisation hears of a referral sent, cancelled
or past its end without an outcome; the referring worker hears each answer; both
hear of one left unanswered. Nobody else, and nobody who can no longer open it."""

from __future__ import annotations

import datetime as dt

import pytest

from agreements.services import agreement_terminate
from cooperation.models import InstitutionKind, Role
from partners import services

from ..factories import InstitutionFactory, member
from ..partners.conftest import (  # noqa: F401 - fixtures
    TODAY,
    covered,
    ngo,
    offer,
    person,
    refer,
    staff,
)
from .kindcheck import assert_no_personal_data, collecting, may_see, the_one, told

pytestmark = pytest.mark.usefixtures("covered")
MARKERS = ("Grażyna", "Łękawa", "600 111 222", "Sekretna")


@pytest.fixture
def bystanders(own, partner, foreign, ngo):
    """People who must never be told: a colleague of the referrer, the PUP, another
    county, another NGO, and the organisation's administrator."""
    other_ngo = InstitutionFactory(kind=InstitutionKind.NGO, short_name="ngo-inne")
    return {
        member(own, Role.SOCIAL_WORKER),
        member(partner, Role.CLIENT_ADVISOR),
        member(foreign, Role.COORDINATOR),
        member(other_ngo, Role.PARTNER_STAFF),
        member(ngo, Role.INSTITUTION_ADMIN),
    }


def _handlers(ngo) -> set:
    """The organisation's people who handle referrals: staff and its coordinator."""
    return {m.user for m in ngo.memberships.filter(role__in=[Role.PARTNER_STAFF, Role.COORDINATOR])}


def test_each_step_of_a_referral_tells_only_the_other_side(
    django_capture_on_commit_callbacks, owner, person, offer, staff, ngo, bystanders
) -> None:
    with collecting(django_capture_on_commit_callbacks) as events:
        referral = refer(owner, person, offer, share=["phone", "address"])
    sent = the_one(events, "referrals.sent")
    assert told(sent) == _handlers(ngo) and staff in told(sent)
    with collecting(django_capture_on_commit_callbacks) as events:
        services.referral_decline(referral=referral, acting_user=staff, reason="Brak miejsc")
    declined = the_one(events, "referrals.declined")
    assert told(declined) == {owner}
    for event in (sent, declined):
        assert not told(event) & bystanders
        assert_no_personal_data(event, *MARKERS, person.pesel)


def test_an_organisation_that_lost_the_agreement_may_not_open_the_notice(
    django_capture_on_commit_callbacks, own, owner, person, offer, staff, covered
) -> None:
    with collecting(django_capture_on_commit_callbacks) as events:
        refer(owner, person, offer)
    sent = the_one(events, "referrals.sent")
    assert may_see(sent, staff)
    agreement_terminate(
        agreement=covered,
        acting_user=member(own, Role.COORDINATOR),
        reason="Koniec",
        notice_days=0,
        without_notice=True,
    )
    assert not may_see(sent, staff)
    assert told(sent) == set()
    assert may_see(sent, owner)


def test_an_overdue_referral_is_told_to_both_sides_once(
    django_capture_on_commit_callbacks, owner, person, offer, staff, ngo, bystanders
) -> None:
    referral = refer(owner, person, offer)
    with collecting(django_capture_on_commit_callbacks) as events:
        services.referrals_run_daily(today=referral.respond_by + dt.timedelta(days=1))
        services.referrals_run_daily(today=referral.respond_by + dt.timedelta(days=2))
    overdue = the_one(events, "referrals.overdue")
    assert told(overdue) == _handlers(ngo) | {owner}
    assert not told(overdue) & bystanders
    assert referral.respond_by >= TODAY
