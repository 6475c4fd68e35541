"""R7 for social integration centres and clubs: a CIS/KIS proposes a participant
who completed its programme (a completed referral) to the PUP's promotion queue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape as html_escape
from django.utils.translation import gettext

from agreements.models import Scope
from cooperation.models import InstitutionKind, PesSubkind, Role
from partners import services as referrals
from promotion import services
from promotion.models import Programme, ProgrammeKind, PromotionCase

from ..factories import InstitutionFactory, agreement_between, member
from ..partners.conftest import consent_to, make_offer, refer
from .helpers import consent_for

TODAY = timezone.localdate()
SUMMARY = {
    "skills": "Prace porządkowe, obsługa kosiarki",
    "availability": "Od poniedziałku, pełny etat",
    "preferred_work": "Zieleń miejska",
}


@pytest.fixture
def cis(db):
    return InstitutionFactory(
        short_name="cis-test",
        name="Centrum Integracji Społecznej w Testowie",
        kind=InstitutionKind.PES,
        pes_subkind=PesSubkind.CIS,
    )


@pytest.fixture
def cis_staff(cis):
    return member(cis, Role.PARTNER_STAFF, username="cis-instruktorka")


def _referral(own, owner, person, org_staff, *, outcome="achieved", complete=True):
    org = org_staff.memberships.get().institution
    agreement_between(own, org, [Scope.REFERRALS])
    consent_to(person, owner, org)
    referral = refer(owner, person, make_offer(org_staff, category="employment"), ["phone"])
    referrals.referral_accept(
        referral=referral, acting_user=org_staff, start_date=TODAY, end_date=TODAY
    )
    referrals.referral_start(referral=referral, acting_user=org_staff)
    if complete:
        referrals.referral_complete(
            referral=referral,
            acting_user=org_staff,
            outcome=outcome,
            outcome_note="Ukończyła reintegrację zawodową",
        )
    referral.refresh_from_db()
    return referral


@pytest.fixture
def ready_cis(own, owner, person, partner, cis, cis_staff):
    """A completed CIS referral, a CIS–PUP agreement on promotion, the client's consent."""
    agreement_between(cis, partner, [Scope.PROMOTION])
    consent_for(person, owner, partner)
    return _referral(own, owner, person, cis_staff)


def test_the_cis_proposes_its_participant_and_everyone_follows(
    client, ready_cis, own, owner, person, partner, partner_user, cis, cis_staff
) -> None:
    client.force_login(cis_staff)
    page = client.get(reverse("partners:referral", args=[ready_cis.pk])).content.decode()
    assert 'id="referral-propose"' in page
    url = reverse("promotion:propose_referral", args=[ready_cis.pk])
    response = client.post(url, {"target": partner.pk, **SUMMARY, "long_term_unemployed": "on"})
    case = PromotionCase.objects.get()
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert case.proposer == cis and case.target == partner and case.client == person
    # Only what the referral shared travels: the name and the phone, no PESEL.
    assert (case.last_name, case.phone, case.pesel) == (person.last_name, person.phone, "")
    assert case.programme.kind == ProgrammeKind.CIS and case.programme.is_completed
    # The CIS follows its case; the office has it in its queue; the OPS sees it on the timeline.
    detail = client.get(case.get_absolute_url())
    assert detail.status_code == 200
    assert reverse("partners:referrals") in detail.content.decode()  # not the PUP's queue
    client.force_login(partner_user)
    assert person.last_name in client.get(reverse("promotion:queue")).content.decode()
    client.force_login(owner)
    timeline = client.get(reverse("clients:detail", args=[person.pk]), {"tab": "timeline"})
    assert partner.name in timeline.content.decode()


def test_only_a_completed_programme_can_be_proposed(
    own, owner, person, partner, cis, cis_staff
) -> None:
    agreement_between(cis, partner, [Scope.PROMOTION])
    consent_for(person, owner, partner)
    running = _referral(own, owner, person, cis_staff, complete=False)
    # Part of who may propose (promotion/permissions.py), so the page and the service agree.
    with pytest.raises(PermissionDenied, match="completed"):
        services.case_propose_from_referral(
            referral=running, acting_user=cis_staff, target=partner, **SUMMARY
        )


def test_a_participant_who_stopped_attending_is_not_proposed(
    own, owner, person, partner, cis, cis_staff
) -> None:
    agreement_between(cis, partner, [Scope.PROMOTION])
    consent_for(person, owner, partner)
    dropped = _referral(own, owner, person, cis_staff, outcome="dropped_out")
    with pytest.raises(PermissionDenied, match="completed"):
        services.case_propose_from_referral(
            referral=dropped, acting_user=cis_staff, target=partner, **SUMMARY
        )


def test_without_an_agreement_with_the_office_the_form_says_so_and_keeps_the_text(
    client, own, owner, person, partner, cis, cis_staff
) -> None:
    consent_for(person, owner, partner)
    referral = _referral(own, owner, person, cis_staff)
    with pytest.raises(ValidationError, match="agreement"):
        services.case_propose_from_referral(
            referral=referral, acting_user=cis_staff, target=partner, **SUMMARY
        )
    # On the page the office is not even offered.
    client.force_login(cis_staff)
    page = client.get(reverse("promotion:propose_referral", args=[referral.pk])).content.decode()
    assert f'value="{partner.pk}"' not in page


def test_without_the_clients_consent_for_the_office_nothing_is_sent(
    client, own, owner, person, partner, cis, cis_staff
) -> None:
    agreement_between(cis, partner, [Scope.PROMOTION])
    referral = _referral(own, owner, person, cis_staff)
    client.force_login(cis_staff)
    response = client.post(
        reverse("promotion:propose_referral", args=[referral.pk]), {"target": partner.pk, **SUMMARY}
    )
    body = response.content.decode()
    with translation.override("pl"):  # the page speaks Polish; this module's messages English
        message = gettext(
            "The client has no active consent for this office covering the promotion queue."
        )
    assert response.status_code == 200 and html_escape(message) in body
    assert SUMMARY["skills"] in body  # nothing typed is lost
    assert not PromotionCase.objects.exists() and not Programme.objects.exists()


def test_an_ordinary_ngo_cannot_propose(client, own, owner, person, partner) -> None:
    ngo = InstitutionFactory(kind=InstitutionKind.NGO)
    staff = member(ngo, Role.PARTNER_STAFF)
    agreement_between(ngo, partner, [Scope.PROMOTION])
    consent_for(person, owner, partner)
    referral = _referral(own, owner, person, staff)
    client.force_login(staff)
    page = client.get(reverse("partners:referral", args=[referral.pk])).content.decode()
    assert 'id="referral-propose"' not in page
    with pytest.raises(PermissionDenied):
        services.case_propose_from_referral(
            referral=referral, acting_user=staff, target=partner, **SUMMARY
        )
    response = client.post(
        reverse("promotion:propose_referral", args=[referral.pk]), {"target": partner.pk, **SUMMARY}
    )
    assert response.status_code in (200, 403) and not PromotionCase.objects.exists()


def test_the_referring_worker_cannot_use_the_cis_form(client, ready_cis, owner, partner) -> None:
    client.force_login(owner)
    url = reverse("promotion:propose_referral", args=[ready_cis.pk])
    assert client.post(url, {"target": partner.pk, **SUMMARY}).status_code in (403, 404)
    assert not PromotionCase.objects.exists()


def test_a_programme_without_a_start_date_starts_on_the_warsaw_day_it_was_sent(
    ready_cis, cis_staff, partner
) -> None:
    """Sent at 00:30 in Warsaw is still the day before in UTC: the programme's start
    is the day in Warsaw, not the UTC date of the timestamp."""
    from partners.models import Referral

    day = ready_cis.completed_on or TODAY
    sent = dt.datetime.combine(day, dt.time(0, 30), tzinfo=timezone.get_default_timezone())
    Referral.objects.filter(pk=ready_cis.pk).update(start_date=None, sent_at=sent)
    ready_cis.refresh_from_db()
    case = services.case_propose_from_referral(
        referral=ready_cis, acting_user=cis_staff, target=partner, **SUMMARY
    )
    assert case.programme.started_on == day
