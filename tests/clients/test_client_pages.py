"""The client list and detail that the tenancy core ships with."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cooperation.permissions import VIEW
from cooperation.services import object_share

from ..factories import ClientFactory


def test_the_list_masks_pesel_and_the_detail_shows_it(client, own, owner) -> None:
    c = ClientFactory(owner=own)
    client.force_login(owner)
    listing = client.get(reverse("clients:list")).content.decode()
    assert c.masked_pesel in listing and c.pesel not in listing
    assert c.pesel in client.get(reverse("clients:detail", args=[c.pk])).content.decode()


def test_search_by_pesel_prefix_and_by_name(client, own, owner) -> None:
    a = ClientFactory(owner=own, last_name="Abacka")
    b = ClientFactory(owner=own, last_name="Bobrowska")
    client.force_login(owner)
    by_name = client.get(reverse("clients:list"), {"q": "bobr"}).content.decode()
    assert "Bobrowska" in by_name and "Abacka" not in by_name
    by_pesel = client.get(reverse("clients:list"), {"q": a.pesel[:8]}).content.decode()
    assert "Abacka" in by_pesel and b.last_name not in by_pesel


def test_search_never_finds_another_institutions_client(client, foreign, owner) -> None:
    theirs = ClientFactory(owner=foreign, last_name="Obca")
    client.force_login(owner)
    found = client.post(reverse("clients:list"), {"q": theirs.pesel}, follow=True)
    assert found.status_code == 200 and "Obca" not in found.content.decode()


def test_a_shared_client_shows_with_its_owner(client, own, owner, partner, partner_user) -> None:
    c = ClientFactory(owner=own)
    object_share(obj=c, institution=partner, actions=[VIEW], acting_user=owner, reason="test")
    client.force_login(partner_user)
    listing = client.get(reverse("clients:list")).content.decode()
    assert c.last_name in listing and own.name in listing


@pytest.mark.parametrize("rows", [3, 40])
def test_the_list_costs_the_same_queries_for_any_size(
    client, django_assert_max_num_queries, own, owner, partner, partner_user, rows
) -> None:
    for _ in range(rows):
        c = ClientFactory(owner=own)
        object_share(obj=c, institution=partner, actions=[VIEW], acting_user=owner, reason="test")
    client.force_login(partner_user)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("clients:list")).status_code == 200
