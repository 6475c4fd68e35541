"""A client of `own` shared with `partner` under an agreement covering joint plans,
and an open plan on it in which both institutions take part."""

from __future__ import annotations

import pytest

from agreements.models import Scope
from cooperation.models import Role
from reintegration import services

from ..factories import ClientFactory, agreement_between, member
from .helpers import share, soon


@pytest.fixture
def joint_agreement(own, partner):
    return agreement_between(own, partner, [Scope.CLIENT_RECORDS, Scope.JOINT_PLANS])


@pytest.fixture
def shared_client(own, partner, owner, joint_agreement):
    client = ClientFactory(
        owner=own, created_by=owner, first_name="Józefa", last_name="Żółkiewska-Gęślą"
    )
    share(client, partner, owner)
    return client


@pytest.fixture
def own_coordinator(own):
    return member(own, Role.COORDINATOR, username="plan-coordinator")


@pytest.fixture
def plan(shared_client, owner, partner, partner_user, own_coordinator):
    return services.plan_create(
        acting_user=owner,
        client=shared_client,
        partners=[partner],
        social_worker=owner,
        client_advisor=partner_user,
        coordinator=own_coordinator,
        next_review_date=soon(30),
    )


@pytest.fixture
def goal(plan, owner):
    return services.goal_add(plan=plan, acting_user=owner, title="Stabilne mieszkanie i praca")
