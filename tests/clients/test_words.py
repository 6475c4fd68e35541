"""The client's page speaks of the client in their grammatical gender; the
sharing form stops offering a basis once the client is shared on it."""

from __future__ import annotations

from django.urls import reverse

from agreements.models import Scope
from clients.services import client_share, consent_record

from ..factories import ClientFactory, agreement_between


def test_a_woman_is_zarejestrowana_and_a_man_zarejestrowany(client, own, owner) -> None:
    woman = ClientFactory(owner=own, sex="F")
    man = ClientFactory(owner=own, sex="M")
    client.force_login(owner)
    body = client.get(reverse("clients:detail", args=[woman.pk])).content.decode()
    assert "Zarejestrowana przez Twoją instytucję" in body
    body = client.get(reverse("clients:detail", args=[man.pk])).content.decode()
    assert "Zarejestrowany przez Twoją instytucję" in body


def test_the_sharing_tab_stops_offering_a_basis_once_shared_on_it(
    client, own, owner, partner
) -> None:
    import datetime as dt

    from django.utils import timezone

    agreement_between(own, partner, [Scope.CLIENT_RECORDS])
    person = ClientFactory(owner=own)
    consent = consent_record(
        client=person,
        acting_user=owner,
        partner=partner,
        basis="statutory",
        scopes=[Scope.CLIENT_RECORDS],
        given_on=timezone.localdate() - dt.timedelta(days=1),
    )
    client.force_login(owner)
    url = reverse("clients:detail", args=[person.pk]) + "?tab=sharing"
    assert "Udostępnij na tej podstawie" in client.get(url).content.decode()
    client_share(client=person, partner=partner, acting_user=owner, consent=consent)
    body = client.get(url).content.decode()
    assert partner.name in body
    assert "Udostępnij na tej podstawie" not in body
