"""The directory of partner organisations: who sees it, its filters, its cost,
and who may keep a catalogue."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cooperation.models import InstitutionKind, PesSubkind, Role
from partners.models import ServiceOffer
from partners.services import service_offer_update

from ..factories import InstitutionFactory, member
from .conftest import make_offer, offer_data


def _names(response) -> set[str]:
    return {o.name for o in response.context["page"].object_list}


@pytest.fixture
def cis(db):
    return InstitutionFactory(
        short_name="cis-test",
        name="Centrum Integracji Społecznej w Testowie",
        kind=InstitutionKind.PES,
        pes_subkind=PesSubkind.CIS,
        municipality="Suchedniów",
    )


@pytest.fixture
def catalogue(staff, cis):
    """NGO: debt advice (unlimited), childcare in one municipality (full).
    CIS: social employment (2 free of 10). Plus a hidden one."""
    cis_staff = member(cis, Role.PARTNER_STAFF)
    return {
        "debt": make_offer(staff, capacity=None, free_places=0),
        "childcare": make_offer(
            staff,
            name="Świetlica dla dzieci",
            category="childcare",
            county_wide=False,
            municipalities="Skarżysko-Kamienna",
            capacity=15,
            free_places=0,
        ),
        "cis": make_offer(
            cis_staff,
            name="Zatrudnienie socjalne w CIS",
            category="employment",
            capacity=10,
            free_places=2,
        ),
        "hidden": make_offer(staff, name="Usługa wycofana", is_active=False),
    }


def test_every_institution_of_the_county_sees_the_partners_services(
    client, owner, catalogue
) -> None:
    client.force_login(owner)
    response = client.get(reverse("partners:directory"))
    assert _names(response) == {
        "Poradnictwo dla osób zadłużonych",
        "Świetlica dla dzieci",
        "Zatrudnienie socjalne w CIS",
    }
    body = response.content.decode()
    assert "Usługa wycofana" not in body
    assert "Halina Żurek" in body and "Dyżur we wtorki" in body  # contact and how to refer


def test_another_county_sees_none_of_it(client, outsider, ngo, catalogue) -> None:
    client.force_login(outsider)
    assert _names(client.get(reverse("partners:directory"))) == set()
    assert client.get(reverse("partners:organisation", args=[ngo.pk])).status_code == 404


def test_it_filters_by_category(client, owner, catalogue) -> None:
    client.force_login(owner)
    response = client.get(reverse("partners:directory"), {"category": "employment"})
    assert _names(response) == {"Zatrudnienie socjalne w CIS"}


def test_it_filters_by_free_places(client, owner, catalogue) -> None:
    client.force_login(owner)
    response = client.get(reverse("partners:directory"), {"free": "on"})
    # Unlimited advice counts as free; the full childcare does not.
    assert _names(response) == {"Poradnictwo dla osób zadłużonych", "Zatrudnienie socjalne w CIS"}


def test_it_filters_by_municipality(client, owner, catalogue, staff) -> None:
    make_offer(
        staff,
        name="Klub w Bliżynie",
        category="activation",
        county_wide=False,
        municipalities="Bliżyn, Łączna",
    )
    client.force_login(owner)
    url = reverse("partners:directory")
    in_suchedniow = _names(client.get(url, {"area": "Suchedniów"}))
    # County-wide services reach Suchedniów; the Skarżysko-only childcare does not.
    assert in_suchedniow == {"Poradnictwo dla osób zadłużonych", "Zatrudnienie socjalne w CIS"}
    in_skarzysko = _names(client.get(url, {"area": "Skarżysko-Kamienna"}))
    assert "Świetlica dla dzieci" in in_skarzysko and "Klub w Bliżynie" not in in_skarzysko
    # A name matches whole: "Bliżyn" is not found inside "Bliżyn-Wola".
    make_offer(
        staff,
        name="Klub w Woli",
        category="activation",
        county_wide=False,
        municipalities="Bliżyn-Wola",
    )
    assert "Klub w Woli" not in _names(client.get(url, {"area": "Bliżyn"}))
    assert "Klub w Bliżynie" in _names(client.get(url, {"area": "Bliżyn"}))
    # A municipality known only from a service's list is offered, with the county-wide ones.
    assert _names(client.get(url, {"area": "Łączna"})) == {
        "Poradnictwo dla osób zadłużonych",
        "Zatrudnienie socjalne w CIS",
        "Klub w Bliżynie",
    }


def test_filters_combine_and_search_words(client, owner, catalogue) -> None:
    client.force_login(owner)
    url = reverse("partners:directory")
    assert _names(client.get(url, {"q": "CIS", "free": "on"})) == {"Zatrudnienie socjalne w CIS"}
    assert _names(client.get(url, {"provider_kind": "cis"})) == {"Zatrudnienie socjalne w CIS"}
    assert _names(client.get(url, {"provider_kind": "ngo", "category": "childcare"})) == {
        "Świetlica dla dzieci"
    }


def test_an_unknown_municipality_is_refused_not_ignored(client, owner, catalogue) -> None:
    client.force_login(owner)
    response = client.get(reverse("partners:directory"), {"area": "Kraków"})
    assert response.context["filter"].form.errors["area"]


@pytest.mark.parametrize("rows", [2, 30])
def test_the_directory_costs_the_same_queries_for_any_size(
    client, django_assert_max_num_queries, owner, staff, rows
) -> None:
    for i in range(rows):
        make_offer(staff, name=f"Usługa {i}", county_wide=i % 2 == 0, municipalities="Bliżyn")
    client.force_login(owner)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("partners:directory"), {"free": "on"}).status_code == 200
    with django_assert_max_num_queries(8):
        assert (
            client.get(
                reverse("partners:organisation", args=[staff.memberships.get().institution_id])
            ).status_code
            == 200
        )


def test_the_profile_of_an_organisation_lists_its_services(client, owner, ngo, catalogue) -> None:
    client.force_login(owner)
    response = client.get(reverse("partners:organisation", args=[ngo.pk]))
    body = response.content.decode()
    assert "Świetlica dla dzieci" in body and "Zatrudnienie socjalne w CIS" not in body


def test_a_public_institution_has_no_profile_in_the_directory(client, owner, partner) -> None:
    client.force_login(owner)
    assert client.get(reverse("partners:organisation", args=[partner.pk])).status_code == 404


# --- the catalogue --------------------------------------------------------------


def test_partner_staff_add_a_service_to_their_catalogue(client, staff, ngo) -> None:
    client.force_login(staff)
    response = client.post(
        reverse("partners:service_create"),
        {**offer_data(name="Nowa usługa"), "capacity": "8", "free_places": "3"},
    )
    assert response.status_code == 302
    created = ServiceOffer.objects.get(name="Nowa usługa")
    assert created.provider == ngo and (created.capacity, created.free_places) == (8, 3)


def test_more_free_places_than_places_is_explained_next_to_the_field(client, staff) -> None:
    client.force_login(staff)
    response = client.post(
        reverse("partners:service_create"), {**offer_data(), "capacity": "2", "free_places": "3"}
    )
    assert 'id="id_free_places_error"' in response.content.decode()
    assert not ServiceOffer.objects.exists()


def test_a_service_not_county_wide_must_name_its_municipalities(staff) -> None:
    with pytest.raises(ValidationError) as exc:
        make_offer(staff, county_wide=False, municipalities=" , ")
    assert "municipalities" in exc.value.message_dict


def test_an_unlimited_service_keeps_no_count_of_free_places(staff) -> None:
    assert make_offer(staff, capacity=None, free_places=7).free_places == 0


def test_staff_update_the_free_places(client, staff, offer) -> None:
    client.force_login(staff)
    data = {**offer_data(), "free_places": "1"}
    assert client.post(reverse("partners:service_edit", args=[offer.pk]), data).status_code == 302
    offer.refresh_from_db()
    assert offer.free_places == 1


def test_a_worker_of_a_public_institution_keeps_no_catalogue(client, owner, coordinator) -> None:
    client.force_login(owner)
    assert client.get(reverse("partners:catalogue")).status_code == 403
    client.force_login(coordinator)  # coordinator of a MOPS: the right role, the wrong kind
    assert client.get(reverse("partners:catalogue")).status_code == 403
    assert client.post(reverse("partners:service_create"), offer_data()).status_code == 403


def test_another_organisation_cannot_edit_a_service(client, offer, cis) -> None:
    other = member(cis, Role.PARTNER_STAFF)
    client.force_login(other)
    assert client.get(reverse("partners:service_edit", args=[offer.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        service_offer_update(offer=offer, acting_user=other, data=offer_data(free_places=0))


def test_the_catalogue_shows_hidden_services_to_their_organisation(
    client, staff, catalogue
) -> None:
    client.force_login(staff)
    body = client.get(reverse("partners:catalogue")).content.decode()
    assert "Usługa wycofana" in body and "Zatrudnienie socjalne w CIS" not in body
