"""A client of `own` (MOPS) with a completed social contract, an agreement with
`partner` (a PUP) covering the promotion queue, and the client's consent for it."""

from __future__ import annotations

import pytest

from agreements.models import Scope
from cooperation.models import Role

from ..factories import ClientFactory, agreement_between, member
from .helpers import completed_programme, consent_for


@pytest.fixture(autouse=True)
def _english_messages():
    """These tests name the rule each refusal explains by a word of its English
    message (`match="consent"`); the pages themselves are tested in Polish."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def promo_agreement(own, partner):
    return agreement_between(own, partner, [Scope.CLIENT_RECORDS, Scope.PROMOTION])


@pytest.fixture
def person(own, owner):
    return ClientFactory(
        owner=own, created_by=owner, first_name="Halina", last_name="Źdźbło", phone="601202303"
    )


@pytest.fixture
def consent(person, owner, partner):
    return consent_for(person, owner, partner)


@pytest.fixture
def programme(person, owner):
    return completed_programme(person, owner)


@pytest.fixture
def advisor(partner_user):
    return partner_user


@pytest.fixture
def advisor2(partner):
    return member(partner, Role.CLIENT_ADVISOR, username="advisor2")


@pytest.fixture
def pup_coordinator(partner):
    return member(partner, Role.COORDINATOR, username="pup-coordinator")


@pytest.fixture
def ready(promo_agreement, consent, programme):
    """Everything proposing needs is in place."""
    return programme
