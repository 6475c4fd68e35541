"""Who sees joint plans and who may work on them (see cooperation.permissions).

A plan inherits its client's visibility, and is visible to a partner only while
an agreement in force also covers joint plans; its parts inherit the plan's.
Any participating institution's caseworkers work on the plan (goals, steps,
reviews: a partner with a share adds plan steps); the institution that holds
the client invites partners and closes the plan.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

import clients.permissions  # noqa: F401 - the Client policy this app adds an action to
from agreements.models import Scope
from agreements.scope import agreement_covers
from clients.models import Client
from cooperation.models import Membership
from cooperation.permissions import (
    CHANGE,
    VIEW,
    Policy,
    Reason,
    add_rule,
    all_of,
    owner_is_mine,
    register,
    role_in,
)
from cooperation.roles import CASEWORK_ROLES

from .models import (
    Goal,
    NeedAssessment,
    Participant,
    PlanChange,
    ReintegrationPlan,
    Review,
    Step,
)
from .selectors import joint_plans_condition

PLAN = "plan"  # on a Client: see and open plans for them
CLOSE = "close"
INVITE = "invite"  # add a participating institution

casework = role_in(
    CASEWORK_ROLES, _("Only social workers, client advisors and coordinators work on plans.")
)


def joint_plans_covered(membership: Membership, client: Client) -> Reason | None:
    if client.owner_id == membership.institution_id or agreement_covers(
        client.owner_id, membership.institution_id, Scope.JOINT_PLANS
    ):
        return None
    return _("You may not plan for this client.")


def participating(membership: Membership, plan: Any) -> Reason | None:
    if Participant.objects.filter(plan=plan, institution_id=membership.institution_id).exists():
        return None
    return _("Only institutions taking part in the plan may change it.")


holder = owner_is_mine(
    "client__owner_id", _("Only the institution that holds the client may do this.")
)

add_rule(Client, PLAN, all_of(casework, joint_plans_covered))

roles: dict[str, frozenset[str]] = {VIEW: CASEWORK_ROLES, CHANGE: CASEWORK_ROLES}
register(
    Policy(
        ReintegrationPlan,
        owner=None,
        parent="client",
        roles=roles,
        condition=joint_plans_condition,
        rules={
            CHANGE: all_of(casework, participating),
            INVITE: all_of(casework, participating, holder),
            CLOSE: all_of(casework, participating, holder),
        },
    )
)
for model in (Participant, NeedAssessment, Goal, Step, Review, PlanChange):
    register(Policy(model, owner=None, parent="plan", roles=roles))
