"""The admin shows referrals read-only, and only to their referring institution."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from cooperation.models import Role

from ..factories import member
from .conftest import refer

pytestmark = pytest.mark.usefixtures("covered")


def test_a_superuser_opens_the_referral_and_service_pages(
    client, admin_user, owner, person, offer
) -> None:
    referral = refer(owner, person, offer)
    client.force_login(admin_user)
    assert client.get(reverse("admin:partners_referral_changelist")).status_code == 200
    assert (
        client.get(reverse("admin:partners_referral_change", args=[referral.pk])).status_code == 200
    )
    assert client.get(reverse("admin:partners_serviceoffer_changelist")).status_code == 200
    assert client.get(reverse("admin:partners_referral_add")).status_code == 403


def test_an_institution_admin_sees_only_referrals_of_their_institution(
    client, own, foreign, owner, person, offer
) -> None:
    referral = refer(owner, person, offer)
    perms = Permission.objects.filter(codename="view_referral")
    mine = member(own, Role.INSTITUTION_ADMIN, is_staff=True)
    theirs = member(foreign, Role.INSTITUTION_ADMIN, is_staff=True)
    for user in (mine, theirs):
        user.user_permissions.set(perms)
    url = reverse("admin:partners_referral_change", args=[referral.pk])
    client.force_login(mine)
    assert client.get(url).status_code == 200
    client.force_login(theirs)
    assert client.get(url).status_code in (302, 404)
    assert (
        "Łękawa" not in client.get(reverse("admin:partners_referral_changelist")).content.decode()
    )
