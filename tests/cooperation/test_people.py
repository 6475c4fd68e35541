"""Coordinators and institution admins invite and manage their own people."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from cooperation.models import Membership, Role
from cooperation.permissions import membership_of

from ..factories import member


def _invite(client, **overrides):
    data = {
        "first_name": "Ewa",
        "last_name": "Nowa",
        "email": "ewa.nowa@example.pl",
        "role": Role.SOCIAL_WORKER,
    }
    data.update(overrides)
    # The invitation e-mail leaves only after the transaction commits.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("cooperation:person_invite"), data)


def test_a_coordinator_invites_a_person_who_sets_a_password_and_logs_in(
    client, coordinator, own
) -> None:
    client.force_login(coordinator)
    response = _invite(client)
    assert response.status_code == 302
    invited = Membership.objects.get(user__email="ewa.nowa@example.pl")
    assert invited.institution == own and invited.role == Role.SOCIAL_WORKER
    assert not invited.user.has_usable_password()

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+", mail.outbox[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    client.logout()
    form_page = client.get("/" + path, follow=True)
    assert form_page.status_code == 200
    new_password = "Nowe-haslo-2026!"
    response = client.post(
        form_page.request["PATH_INFO"], {"password1": new_password, "password2": new_password}
    )
    assert response.status_code == 302
    assert client.login(username="ewa.nowa@example.pl", password=new_password)


def test_an_invitation_to_a_taken_email_is_refused_next_to_the_form(
    client, coordinator, owner
) -> None:
    client.force_login(coordinator)
    response = _invite(client, email=owner.email.upper())
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ewa" in body  # nothing typed is lost
    assert len(mail.outbox) == 0


def test_an_invalid_email_is_marked_on_the_field(client, coordinator) -> None:
    client.force_login(coordinator)
    response = _invite(client, email="not-an-email")
    body = response.content.decode()
    assert 'aria-invalid="true"' in body
    assert 'value="Nowa"' in body


def test_a_double_submitted_invitation_creates_one_person(client, coordinator) -> None:
    client.force_login(coordinator)
    _invite(client)
    _invite(client)
    assert Membership.objects.filter(user__email="ewa.nowa@example.pl").count() == 1
    assert len(mail.outbox) == 1


def test_it_requires_a_managing_role(client, owner) -> None:
    client.force_login(owner)
    assert client.get(reverse("cooperation:people")).status_code == 403
    assert _invite(client).status_code == 403


def test_a_coordinator_ends_a_membership_and_access_stops(client, coordinator, colleague) -> None:
    client.force_login(coordinator)
    membership = colleague.memberships.get(is_active=True)
    response = client.post(
        reverse("cooperation:person_edit", args=[membership.pk]), {"role": Role.SOCIAL_WORKER}
    )
    assert response.status_code == 302
    colleague.__dict__.pop("_active_membership", None)
    assert membership_of(colleague) is None


def test_a_coordinator_cannot_demote_themselves(client, coordinator) -> None:
    client.force_login(coordinator)
    membership = coordinator.memberships.get(is_active=True)
    response = client.post(
        reverse("cooperation:person_edit", args=[membership.pk]),
        {"role": Role.SOCIAL_WORKER, "is_active": "on"},
    )
    assert response.status_code == 200
    membership.refresh_from_db()
    assert membership.role == Role.COORDINATOR


@pytest.mark.parametrize("rows", [3, 30])
def test_the_people_page_costs_the_same_queries_for_any_size(
    client, django_assert_max_num_queries, own, coordinator, rows
) -> None:
    for _ in range(rows):
        member(own, Role.SOCIAL_WORKER)
    client.force_login(coordinator)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("cooperation:people")).status_code == 200


def test_an_invitation_can_be_sent_again_until_the_password_is_set(
    client, coordinator, own
) -> None:
    client.force_login(coordinator)
    _invite(client)
    membership = Membership.objects.get(user__email="ewa.nowa@example.pl")
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("cooperation:person_resend", args=[membership.pk]))
    assert len(mail.outbox) == 2

    membership.user.set_password("Ustawione-2026!")
    membership.user.save()
    response = client.post(reverse("cooperation:person_resend", args=[membership.pk]), follow=True)
    assert (
        "już ustawiła hasło" in response.content.decode()
        or "already set" in response.content.decode()
    )
    assert len(mail.outbox) == 2
