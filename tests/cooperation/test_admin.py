"""The Django admin is scoped: an institution admin sees only their institution's rows."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from cooperation.models import AuditAction, AuditEvent, Role

from ..factories import ClientFactory, member


@pytest.fixture
def staff_admin(own):  # type: ignore[no-untyped-def]
    user = member(own, Role.INSTITUTION_ADMIN, username="inst-admin", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            codename__in=["view_client", "view_membership", "view_auditevent", "view_institution"]
        )
    )
    return user


def test_an_institution_admin_sees_only_their_clients(client, staff_admin, own, foreign) -> None:
    mine = ClientFactory(owner=own, last_name="Nasza")
    theirs = ClientFactory(owner=foreign, last_name="Obca")
    client.force_login(staff_admin)
    body = client.get(reverse("admin:clients_client_changelist")).content.decode()
    assert mine.last_name in body and theirs.last_name not in body
    assert client.get(reverse("admin:clients_client_change", args=[theirs.pk])).status_code in (
        302,
        404,
    )


def test_an_institution_admin_sees_only_their_institution(
    client, staff_admin, own, foreign
) -> None:
    client.force_login(staff_admin)
    body = client.get(reverse("admin:cooperation_institution_changelist")).content.decode()
    assert own.name in body and foreign.name not in body


def test_the_audit_log_is_read_only_in_the_admin(client, staff_admin, own) -> None:
    event = AuditEvent.objects.create(
        institution=own, action=AuditAction.VIEW, object_label="klient #1"
    )
    client.force_login(staff_admin)
    assert client.get(reverse("admin:cooperation_auditevent_add")).status_code == 403
    client.post(reverse("admin:cooperation_auditevent_delete", args=[event.pk]), {"post": "yes"})
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_a_superuser_sees_every_institution(client, admin_user, own, foreign) -> None:
    client.force_login(admin_user)
    body = client.get(reverse("admin:cooperation_institution_changelist")).content.decode()
    assert own.name in body and foreign.name in body


def test_an_institution_admin_sees_only_agreements_of_their_institution(
    client, own, partner, foreign
) -> None:
    from ..factories import InstitutionFactory, agreement_between

    ours = agreement_between(own, partner)
    other = InstitutionFactory(county="ostrowiecki")
    theirs = agreement_between(foreign, other)
    admin_user = member(own, Role.INSTITUTION_ADMIN, username="inst-admin2", is_staff=True)
    admin_user.user_permissions.set(Permission.objects.filter(codename="view_agreement"))
    client.force_login(admin_user)
    body = client.get(reverse("admin:agreements_agreement_changelist")).content.decode()
    assert ours.number in body and theirs.number not in body
