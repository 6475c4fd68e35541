"""Clients tell the other side: an access request and its answer, a consent lapsing
in 30 days and lapsed, a share ended, the weekly retention report."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from agreements.models import Scope
from clients.models import LegalBasis
from clients.services import (
    access_request_create,
    access_request_decline,
    client_share,
    client_unshare,
    consent_record,
    consents_run_daily,
)
from cooperation.models import Role

from ..factories import ClientFactory, agreement_between, member
from .kindcheck import assert_no_personal_data, collecting, may_see, the_one, told

TODAY = timezone.localdate()
NAME, PESEL = "Qwertyńska", "02270803628"


@pytest.fixture
def covered(own, partner):
    return agreement_between(own, partner, [Scope.CLIENT_RECORDS])


@pytest.fixture
def person(own, owner):
    return ClientFactory(owner=own, created_by=owner, last_name=NAME, pesel=PESEL)


@pytest.fixture
def own_coordinator(own):
    return member(own, Role.COORDINATOR)


@pytest.fixture
def partner_coordinator(partner):
    return member(partner, Role.COORDINATOR)


def _consent(person, owner, partner, **kw):
    data = {"basis": LegalBasis.STATUTORY_TASK, "scopes": [Scope.CLIENT_RECORDS], "given_on": TODAY}
    data.update(kw)
    return consent_record(client=person, acting_user=owner, partner=partner, **data)


def test_an_access_request_tells_the_owner_and_its_answer_tells_the_asker(
    django_capture_on_commit_callbacks,
    covered,
    person,
    owner,
    colleague,
    own_coordinator,
    partner,
    partner_user,
    outsider,
) -> None:
    with collecting(django_capture_on_commit_callbacks) as events:
        (request,) = access_request_create(acting_user=partner_user, pesel=PESEL, reason="IPD")
    asked = the_one(events, "clients.access_requested")
    assert told(asked) == {owner, own_coordinator} | {
        m.user for m in person.owner.memberships.filter(role=Role.COORDINATOR)
    }
    assert not told(asked) & {partner_user, colleague, outsider}
    assert not may_see(asked, partner_user)  # the request is the owner's record
    with collecting(django_capture_on_commit_callbacks) as events:
        access_request_decline(request=request, acting_user=owner, answer="Brak podstawy")
    declined = the_one(events, "clients.access_declined")
    assert told(declined) == {partner_user}
    assert may_see(declined, partner_user) and not may_see(declined, outsider)
    for event in (asked, declined):
        assert_no_personal_data(event, NAME, PESEL)


def test_sharing_answers_a_pending_request(
    django_capture_on_commit_callbacks, covered, person, owner, partner, partner_user
) -> None:
    access_request_create(acting_user=partner_user, pesel=PESEL, reason="IPD")
    consent = _consent(person, owner, partner)
    with collecting(django_capture_on_commit_callbacks) as events:
        share = client_share(client=person, partner=partner, consent=consent, acting_user=owner)
    granted = the_one(events, "clients.access_granted")
    assert told(granted) == {partner_user}
    assert_no_personal_data(granted, NAME, PESEL)
    client_unshare(share=share, acting_user=owner, reason="koniec")
    assert not may_see(granted, partner_user)  # the client is no longer theirs to open


def test_a_consent_lapsing_and_lapsed_tells_the_owners_people_only(
    django_capture_on_commit_callbacks,
    covered,
    person,
    owner,
    colleague,
    own_coordinator,
    partner,
    partner_user,
    partner_coordinator,
    outsider,
) -> None:
    consent = _consent(
        person,
        owner,
        partner,
        given_on=TODAY - dt.timedelta(days=100),
        valid_until=TODAY + dt.timedelta(days=30),
    )
    client_share(client=person, partner=partner, consent=consent, acting_user=owner)
    with collecting(django_capture_on_commit_callbacks) as events:
        consents_run_daily(today=TODAY)
        consents_run_daily(today=TODAY)
    lapsing = the_one(events, "clients.consent_lapsing")
    owners = {owner, own_coordinator} | {
        m.user for m in person.owner.memberships.filter(role=Role.COORDINATOR)
    }
    assert told(lapsing) == owners
    with collecting(django_capture_on_commit_callbacks) as events:
        consents_run_daily(today=TODAY + dt.timedelta(days=31))
    lapsed = the_one(events, "clients.consent_lapsed")
    assert told(lapsed) == owners
    assert not told(lapsed) & {colleague, partner_user, outsider}
    # The share it carried ended: the system did it, so both sides hear of it.
    ended = the_one(events, "clients.share_ended")
    partners = {m.user for m in partner.memberships.filter(role=Role.COORDINATOR)}
    assert partner_coordinator in partners
    assert told(ended) == owners | partners
    assert partner_user not in told(ended)  # coordinators of the partner, not every advisor
    for event in (lapsing, lapsed, ended):
        assert_no_personal_data(event, NAME, PESEL)


def test_a_share_the_owner_ends_tells_the_partners_coordinators(
    django_capture_on_commit_callbacks,
    covered,
    person,
    owner,
    own_coordinator,
    partner,
    partner_coordinator,
    outsider,
) -> None:
    share = client_share(
        client=person, partner=partner, consent=_consent(person, owner, partner), acting_user=owner
    )
    with collecting(django_capture_on_commit_callbacks) as events:
        client_unshare(share=share, acting_user=owner, reason="koniec")
    ended = the_one(events, "clients.share_ended")
    assert partner_coordinator in told(ended)
    assert not told(ended) & {owner, own_coordinator, outsider}
    assert may_see(ended, partner_coordinator) and not may_see(ended, outsider)
    assert_no_personal_data(ended, NAME, PESEL)
