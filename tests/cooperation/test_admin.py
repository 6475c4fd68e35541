"""The Django admin is scoped: an institution admin sees only their institution's rows."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from cooperation.models import AuditAction, AuditEvent, Role

from ..factories import ClientFactory, member


@pytest.fixture
def staff_admin(own):
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


def test_a_second_active_membership_is_refused_on_the_form_not_with_a_crash(
    client, admin_user, owner, foreign
) -> None:
    """The database allows one active membership per person (a partial unique
    constraint the inline form cannot see); the superuser gets a message."""
    from django.utils.translation import gettext

    from ..pageforms import page_forms

    client.force_login(admin_user)
    url = reverse("admin:cooperation_user_change", args=[owner.pk])
    forms = page_forms(client.get(url).content.decode(), url)
    form = max((f for f in forms if f.method == "post"), key=lambda f: len(f.fields))
    body = form.plausible()
    prefix = next(k for k in body if k.endswith("-TOTAL_FORMS")).removesuffix("-TOTAL_FORMS")
    n = int(body[f"{prefix}-TOTAL_FORMS"][0])
    body[f"{prefix}-TOTAL_FORMS"] = [str(n + 1)]
    body |= {
        f"{prefix}-{n}-institution": [str(foreign.pk)],
        f"{prefix}-{n}-role": ["social_worker"],
        f"{prefix}-{n}-is_active": ["on"],
    }
    response = client.post(url, body)
    assert response.status_code == 200
    assert gettext("A person can be active in one institution only.") in response.content.decode()
    assert owner.memberships.filter(is_active=True).count() == 1
