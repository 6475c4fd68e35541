"""The gates of issue 15 that the policy holds: SEPI lookups (1), who registers
clients (2) and a partner editing the owner's record (5). Each test failed on the
code before the policy: it used only the services and pages that existed then."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from agreements.models import Scope
from clients import services as clients
from cooperation.models import InstitutionKind, PesSubkind, Role
from sepi.models import Lookup, Purpose
from sepi.services import lookup_request

from ..factories import ClientFactory, InstitutionFactory, agreement_between, member
from ..sepi.conftest import share

pytestmark = pytest.mark.django_db

PURPOSE = Purpose.BENEFIT_ELIGIBILITY


@pytest.fixture
def ngo(db):  # type: ignore[no-untyped-def]
    return InstitutionFactory(kind=InstitutionKind.NGO, short_name="ngo-gate")


@pytest.fixture
def ngo_coordinator(ngo):  # type: ignore[no-untyped-def]
    return member(ngo, Role.COORDINATOR, username="coordinator.ngo-gate")


# --- gate 1: SEPI --------------------------------------------------------------------


def test_a_gops_without_an_agreement_with_the_pup_may_not_ask_sepi(own, owner) -> None:  # type: ignore[no-untyped-def]
    client = ClientFactory(owner=own, created_by=owner)
    with pytest.raises(PermissionDenied, match="porozumienie z urzędem pracy"):
        lookup_request(client=client, acting_user=owner, purpose=PURPOSE)
    assert not Lookup.objects.exists()


def test_with_the_agreement_a_social_worker_asks_about_their_own_client(
    settings, own, partner, owner
) -> None:  # type: ignore[no-untyped-def]
    settings.SEPI_BACKEND = "simulator"
    agreement_between(own, partner, [Scope.SEPI])
    client = ClientFactory(owner=own, created_by=owner)
    lookup = lookup_request(client=client, acting_user=owner, purpose=PURPOSE)
    assert (lookup.purpose, lookup.institution) == (PURPOSE, own)  # purpose and basis kept


def test_ngo_cis_pup_and_advisors_never_ask_sepi(own, partner, ngo, ngo_coordinator) -> None:  # type: ignore[no-untyped-def]
    cis = InstitutionFactory(kind=InstitutionKind.PES, pes_subkind=PesSubkind.CIS)
    for institution in (ngo, cis, partner):
        agreement_between(institution, partner if institution != partner else own, [Scope.SEPI])
    askers = [
        ngo_coordinator,
        member(cis, Role.COORDINATOR),
        member(partner, Role.CLIENT_ADVISOR),
        member(partner, Role.COORDINATOR),
        member(own, Role.CLIENT_ADVISOR),
    ]
    for user in askers:
        institution = user.memberships.get().institution
        client = ClientFactory(owner=institution, created_by=user)
        with pytest.raises(PermissionDenied):
            lookup_request(client=client, acting_user=user, purpose=PURPOSE)
    assert not Lookup.objects.exists()


def test_a_shared_client_needs_a_consent_covering_sepi(own, partner, owner) -> None:  # type: ignore[no-untyped-def]
    """The MOPS sees the PUP's client, but the consent covers only the record."""
    agreement_between(own, partner, [Scope.CLIENT_RECORDS, Scope.SEPI])
    pup_advisor = member(partner, Role.CLIENT_ADVISOR)
    client = ClientFactory(owner=partner, created_by=pup_advisor)
    share(client, pup_advisor, own, [Scope.CLIENT_RECORDS])
    with pytest.raises(PermissionDenied, match="Zgoda klienta"):
        lookup_request(client=client, acting_user=owner, purpose=PURPOSE)


# --- gate 2: who registers clients -----------------------------------------------------


def test_ngo_staff_do_not_register_clients_nor_see_the_register(
    client, ngo, ngo_coordinator
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied, match="przez skierowania"):
        clients.client_register(
            acting_user=ngo_coordinator,
            data={"first_name": "Jan", "last_name": "Nowak", "pesel": "", "no_pesel_reason": "x"},
        )
    client.force_login(ngo_coordinator)
    assert client.get(reverse("clients:register")).status_code == 403
    assert client.get(reverse("clients:list")).status_code == 403
    home = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("clients:list")}"' not in home
    assert f'href="{reverse("sepi:list")}"' not in home


def test_a_social_worker_still_registers(client, owner) -> None:  # type: ignore[no-untyped-def]
    client.force_login(owner)
    assert client.get(reverse("clients:register")).status_code == 200
    assert f'href="{reverse("clients:list")}"' in client.get(reverse("home")).content.decode()


# --- gate 5: a partner with a share reads and adds, the owner edits ---------------------


@pytest.fixture
def shared_client(own, partner, owner):  # type: ignore[no-untyped-def]
    agreement_between(own, partner, [Scope.CLIENT_RECORDS])
    person = ClientFactory(owner=own, created_by=owner, last_name="Właścicielska")
    share(person, owner, partner, [Scope.CLIENT_RECORDS])
    return person


def test_a_partner_sees_no_edit_button_and_may_not_edit(
    client, shared_client, partner_user
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(partner_user)
    page = client.get(reverse("clients:detail", args=[shared_client.pk])).content.decode()
    assert shared_client.last_name in page
    assert reverse("clients:edit", args=[shared_client.pk]) not in page
    assert client.get(reverse("clients:edit", args=[shared_client.pk])).status_code == 403
    response = client.post(
        reverse("clients:edit", args=[shared_client.pk]),
        {"first_name": "Zmieniona", "last_name": "Przez Partnera", "pesel": shared_client.pesel},
    )
    assert response.status_code == 403
    shared_client.refresh_from_db()
    assert shared_client.last_name == "Właścicielska"
    with pytest.raises(PermissionDenied):
        clients.client_update(
            client=shared_client, acting_user=partner_user, data={"last_name": "Inna"}
        )


def test_a_partner_is_not_shown_the_consent_form(client, shared_client, partner_user) -> None:  # type: ignore[no-untyped-def]
    client.force_login(partner_user)
    url = reverse("clients:consent_add", args=[shared_client.pk])
    assert client.get(url).status_code == 403
    page = client.get(reverse("clients:detail", args=[shared_client.pk])).content.decode()
    assert url not in page


def test_a_partner_adds_notes(shared_client, partner_user) -> None:  # type: ignore[no-untyped-def]
    note = clients.note_add(
        client=shared_client,
        acting_user=partner_user,
        happened_on=timezone.localdate(),
        text="Rozmowa w urzędzie pracy",
        internal=False,
    )
    assert note.institution == partner_user.memberships.get().institution


def test_the_owner_edits(client, shared_client, owner) -> None:  # type: ignore[no-untyped-def]
    client.force_login(owner)
    page = client.get(reverse("clients:detail", args=[shared_client.pk])).content.decode()
    assert reverse("clients:edit", args=[shared_client.pk]) in page
    assert client.get(reverse("clients:edit", args=[shared_client.pk])).status_code == 200
