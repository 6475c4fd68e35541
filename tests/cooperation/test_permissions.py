"""The permission layer: owned rows, shared rows, revocation, inheritance, roles."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from clients.models import Client, ClientGroupObjectPermission
from cooperation import permissions
from cooperation.models import AuditAction, AuditEvent, Role
from cooperation.permissions import CHANGE, VIEW, Policy, can, get_visible_or_404, visible
from cooperation.services import object_share, object_unshare

from ..factories import ClientFactory, member


@pytest.fixture
def own_client(own, owner) -> Client:
    return ClientFactory(owner=own, created_by=owner)


def test_it_shows_the_owning_institution_its_rows(own_client, owner, colleague) -> None:
    assert list(visible(Client, owner)) == [own_client]
    assert list(visible(Client, colleague)) == [own_client]


def test_it_hides_rows_from_other_institutions(own_client, partner_user, outsider) -> None:
    assert not visible(Client, partner_user).exists()
    assert not visible(Client, outsider).exists()
    assert not can(outsider, own_client)


def test_it_shows_a_shared_row_until_the_share_is_revoked(
    own_client, owner, partner, partner_user
) -> None:
    object_share(
        obj=own_client, institution=partner, actions=[VIEW], acting_user=owner, reason="test"
    )
    assert list(visible(Client, partner_user)) == [own_client]
    assert not can(partner_user, own_client, CHANGE)

    object_unshare(
        obj=own_client, institution=partner, actions=[VIEW], acting_user=owner, reason="test"
    )
    assert not visible(Client, partner_user).exists()


def test_sharing_and_revoking_are_audited(own_client, owner, partner) -> None:
    object_share(
        obj=own_client, institution=partner, actions=[VIEW], acting_user=owner, reason="zgoda"
    )
    object_unshare(
        obj=own_client, institution=partner, actions=[VIEW], acting_user=owner, reason="cofnięta"
    )
    actions = list(
        AuditEvent.objects.filter(
            content_type__model="client", object_id=str(own_client.pk)
        ).values_list("action", flat=True)
    )
    assert sorted(actions) == [AuditAction.GRANT, AuditAction.REVOKE]


def test_a_share_with_one_institution_does_not_leak_to_another(
    own_client, owner, partner, outsider
) -> None:
    object_share(
        obj=own_client, institution=partner, actions=[VIEW], acting_user=owner, reason="test"
    )
    assert not visible(Client, outsider).exists()


def test_it_gives_404_to_outsiders_and_403_to_read_only_partners(
    own_client, owner, partner, partner_user, outsider
) -> None:
    with pytest.raises(Http404):
        get_visible_or_404(Client, outsider, pk=own_client.pk)
    object_share(
        obj=own_client, institution=partner, actions=[VIEW], acting_user=owner, reason="test"
    )
    assert get_visible_or_404(Client, partner_user, pk=own_client.pk) == own_client
    with pytest.raises(PermissionDenied):
        get_visible_or_404(Client, partner_user, CHANGE, pk=own_client.pk)


def test_roles_outside_the_policy_see_nothing(own, own_client) -> None:
    admin = member(own, Role.INSTITUTION_ADMIN)
    assert not visible(Client, admin).exists()


def test_a_user_without_membership_sees_nothing(own_client, django_user_model) -> None:
    loner = django_user_model.objects.create_user("loner", password="x")
    assert not visible(Client, loner).exists()


def test_child_records_inherit_their_parents_visibility(
    monkeypatch, own_client, owner, partner, partner_user, outsider
) -> None:
    # A permission row belongs to a client, like a note or a plan will: register
    # it as a child and check it follows the client's visibility without rows of its own.
    monkeypatch.setitem(
        permissions._registry,
        ClientGroupObjectPermission,
        Policy(ClientGroupObjectPermission, owner=None, parent="content_object"),
    )
    object_share(
        obj=own_client, institution=partner, actions=[VIEW], acting_user=owner, reason="test"
    )
    assert visible(ClientGroupObjectPermission, owner).count() == 1
    assert visible(ClientGroupObjectPermission, partner_user).count() == 1
    assert visible(ClientGroupObjectPermission, outsider).count() == 0


def test_visibility_costs_the_same_number_of_queries_for_many_rows(
    django_assert_max_num_queries, own, owner, partner, partner_user
) -> None:
    for _ in range(30):
        c = ClientFactory(owner=own)
        object_share(obj=c, institution=partner, actions=[VIEW], acting_user=owner, reason="test")
    partner_user._active_membership = permissions.membership_of(partner_user)
    with django_assert_max_num_queries(1):
        assert len(list(visible(Client, partner_user))) == 30
