"""Who sees promotion cases, and who may propose a participant (see cooperation.permissions).

"May propose from a referral" lives here and only here: a CIS or KIS's staff,
coordinator or administrator, for a participant who completed its programme
(a completed referral that did not end in dropping out). The partners app asks
`can(user, referral, PROPOSE)` without importing this app.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

import clients.permissions  # noqa: F401 - the Client and Referral policies this app adds to
import partners.permissions  # noqa: F401
from clients.models import Client
from cooperation.models import Membership
from cooperation.permissions import (
    CHANGE,
    VIEW,
    Policy,
    Reason,
    add_rule,
    all_of,
    granted,
    owner_is_mine,
    register,
    role_in,
)
from cooperation.roles import (
    CASEWORK_ROLES,
    MANAGING_ROLES,
    PROGRAMME_SUBKINDS,
    PROMOTION_VIEW_ROLES,
    PROMOTION_WORKER_ROLES,
    PROPOSING_PARTNER_ROLES,
)
from partners.models import Outcome, Referral, Status

from .models import CaseAction, Programme, PromotionCase, PromotionCaseGroupObjectPermission

PROPOSE = "propose"  # on a Referral: pass the participant to the labour office
PROMOTE = "promote"  # on a Client: record a programme, propose them to the office
WORK = "work"  # on a case: the target office's advisors and coordinators take it
ACT = "act"  # on a taken case: its advisor (or a coordinator) records actions, closes it


def _programme_completed(membership: Membership, referral: Any) -> Reason | None:
    if referral.status == Status.COMPLETED and referral.outcome != Outcome.DROPPED_OUT:
        return None
    return _("Only a participant who completed the programme can be proposed.")


def _integration_centre(membership: Membership, referral: Any) -> Reason | None:
    if membership.institution.pes_subkind in PROGRAMME_SUBKINDS:
        return None
    return _("Only a social integration centre or club (CIS, KIS) may propose.")


add_rule(
    Referral,
    PROPOSE,
    all_of(
        role_in(PROPOSING_PARTNER_ROLES),
        owner_is_mine("partner_id", _("Only the organisation that ran the programme may propose.")),
        _integration_centre,
        _programme_completed,
    ),
)

add_rule(
    Client,
    PROMOTE,
    all_of(
        role_in(
            CASEWORK_ROLES,
            _("Only social workers, client advisors and coordinators work with client records."),
        ),
        granted(CHANGE, _("You may not change this client's record.")),
    ),
)

office_worker = all_of(
    role_in(
        PROMOTION_WORKER_ROLES,
        _("Only advisors and coordinators of the labour office may do this."),
    ),
    owner_is_mine(
        "target_id", _("Only advisors and coordinators of the labour office may do this.")
    ),
)


def _assigned_or_coordinator(membership: Membership, case: Any) -> Reason | None:
    if case.assigned_to_id in (None, membership.user_id) or membership.role in MANAGING_ROLES:
        return None
    return _("This case is assigned to another advisor.")


roles: dict[str, frozenset[str]] = {VIEW: CASEWORK_ROLES, CHANGE: CASEWORK_ROLES}
# A programme is part of the client's record and follows its visibility.
register(Policy(Programme, owner=None, parent="client", roles=roles))
# A case belongs to the proposing institution; the target office gets a grant.
register(
    Policy(
        PromotionCase,
        owner="proposer",
        group_permission_model=PromotionCaseGroupObjectPermission,
        # CIS/KIS staff follow the cases their organisation proposed.
        roles={**roles, VIEW: PROMOTION_VIEW_ROLES},
        shared_actions=frozenset({VIEW, CHANGE}),
        rules={WORK: office_worker, ACT: all_of(office_worker, _assigned_or_coordinator)},
    )
)
register(Policy(CaseAction, owner=None, parent="case", roles={**roles, VIEW: PROMOTION_VIEW_ROLES}))
