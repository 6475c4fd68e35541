"""The partners cast, on top of the standing one (`own` MOPS with `owner`,
`partner` PUP, `foreign` MOPS of another county):

- `ngo`: an NGO of the same county with `staff` (partner staff) and a service
  `offer` in its catalogue (5 places, 5 free);
- `covered`: an agreement in force between `own` and `ngo` covering referrals;
- `person`: a client of `own` with phone, address and birth date, who
  consented to referrals to `ngo`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import pytest
from django.utils import timezone

from agreements.models import Scope
from clients.models import Client, Consent
from clients.services import consent_record
from cooperation.models import Institution, InstitutionKind, Role, User
from partners.models import Referral, ServiceOffer
from partners.services import referral_create, service_offer_create

from ..factories import ClientFactory, InstitutionFactory, agreement_between, member

TODAY = timezone.localdate()


def offer_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "name": "Poradnictwo dla osób zadłużonych",
        "category": "debt",
        "description": "Plan spłaty, pisma do wierzycieli.",
        "target_group": "Osoby i rodziny z zadłużeniem",
        "county_wide": True,
        "municipalities": "",
        "capacity": 5,
        "free_places": 5,
        "how_to_refer": "Dyżur we wtorki 10:00–14:00",
        "contact_name": "Halina Żurek",
        "contact_phone": "41 253 10 12",
        "contact_email": "porady@ngo.example.pl",
        "is_active": True,
    }
    data.update(overrides)
    return data


def make_offer(staff: User, **overrides: Any) -> ServiceOffer:
    return service_offer_create(acting_user=staff, data=offer_data(**overrides))


def consent_to(
    client: Client, worker: User, partner: Institution, scopes: Iterable[str] | None = None
) -> Consent:
    return consent_record(
        client=client,
        acting_user=worker,
        partner=partner,
        basis="statutory",
        scopes=list(scopes or [Scope.REFERRALS]),
        given_on=TODAY,
    )


def refer(worker: User, client: Client, offer: ServiceOffer, share=(), needs: str = "") -> Referral:
    return referral_create(
        acting_user=worker, client=client, service=offer, share=share, needs=needs
    )


@pytest.fixture
def ngo(db) -> Institution:
    return InstitutionFactory(
        short_name="ngo-test", name="Stowarzyszenie „Razem dla Testowa”", kind=InstitutionKind.NGO
    )


@pytest.fixture
def staff(ngo: Institution) -> User:
    return member(ngo, Role.PARTNER_STAFF, username="staff", first_name="Halina")


@pytest.fixture
def offer(staff: User) -> ServiceOffer:
    return make_offer(staff)


@pytest.fixture
def covered(own: Institution, ngo: Institution) -> object:
    return agreement_between(own, ngo, [Scope.REFERRALS])


@pytest.fixture
def person(own: Institution, owner: User, ngo: Institution) -> Client:
    client = ClientFactory(
        owner=own,
        created_by=owner,
        first_name="Grażyna",
        last_name="Łękawa",
        phone="600 111 222",
        street="ul. Sekretna 7",
        postal_code="26-110",
        city="Skarżysko-Kamienna",
        birth_date=dt.date(1979, 5, 17),
        household_notes="Samotnie wychowuje troje dzieci",
    )
    consent_to(client, owner, ngo)
    return client
