"""The cast of the job-offer tests, on top of the standing one (tests/conftest.py):

- `office`: a labour office (PUP) of the same county as `own`, with `advisor`;
  an agreement in force covers job offers between `office` and `own` (MOPS);
- `partner` (standing cast): a PUP of the same county with no agreement at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from agreements.models import Scope
from cooperation.models import Institution, InstitutionKind, Role, User
from joboffers.models import JobOffer
from joboffers.services import offer_create, offer_publish

from ..factories import InstitutionFactory, agreement_between, member

TODAY = timezone.localdate()


@pytest.fixture
def office(db) -> Institution:
    return InstitutionFactory(
        short_name="pup-oferty",
        name="Powiatowy Urząd Pracy w Testowie",
        kind=InstitutionKind.PUP,
        phone="41 251 29 50",
    )


@pytest.fixture
def advisor(office: Institution) -> User:
    return member(office, Role.CLIENT_ADVISOR, username="doradca", first_name="Zenon")


@pytest.fixture
def covered(own: Institution, office: Institution) -> object:
    """The agreement MOPS–PUP in force, covering job offers."""
    return agreement_between(own, office, [Scope.CLIENT_RECORDS, Scope.JOB_OFFERS])


def offer_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "job",
        "position": "Magazynier – operator wózka widłowego",
        "employer_name": "Hurtownia „Żółw” sp. z o.o.",
        "workplace_municipality": "Skarżysko-Kamienna",
        "contract_type": "umowa o pracę na czas określony",
        "working_time": "pełny etat",
        "pay_min": Decimal("4806"),
        "pay_max": Decimal("5600"),
        "duties": "przyjmowanie i wydawanie towaru\nobsługa wózka widłowego",
        "requirements": "uprawnienia UDT na wózki widłowe",
        "places": 2,
        "places_disabled": 0,
        "valid_from": TODAY - dt.timedelta(days=2),
        "valid_until": TODAY + dt.timedelta(days=30),
        "contact_phone": "41 251 29 50",
    }
    data.update(overrides)
    return data


@pytest.fixture
def make_offer(advisor: User) -> Callable[..., JobOffer]:
    """make_offer(publish=True, **fields): an offer of `office`, through the services."""

    def make(*, publish: bool = False, by: User | None = None, **fields: Any) -> JobOffer:
        user = by or advisor
        offer = offer_create(acting_user=user, **offer_data(**fields))
        if publish:
            offer_publish(offer=offer, acting_user=user)
            offer.refresh_from_db()
        return offer

    return make
