"""Who sees and acts on job offers (see cooperation.permissions)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

import clients.permissions  # noqa: F401 - the Client policy this app adds to
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
    kind_in,
    owner_is_mine,
    register,
    role_in,
    visible,
)
from cooperation.roles import CASEWORK_ROLES, LABOUR_OFFICE_KINDS, OFFICE_ROLES

from .models import (
    Board,
    BoardPrint,
    ImportRun,
    JobOffer,
    JobOfferGroupObjectPermission,
    OfferProposal,
)

PROPOSE_OFFER = "propose_offer"  # on a Client: propose a current job offer to them

OFFICE_ONLY = _("Only the staff of a labour office may manage job offers.")

# An offer: its labour office sees and acts (enters, edits, publishes, fills,
# withdraws); a board's institution sees it while it is published there (a grant
# given and taken with the publication).
register(
    Policy(
        JobOffer,
        group_permission_model=JobOfferGroupObjectPermission,
        roles={CHANGE: OFFICE_ROLES},
        rules={
            CHANGE: all_of(
                kind_in(LABOUR_OFFICE_KINDS, OFFICE_ONLY),
                owner_is_mine("institution_id", _("This offer belongs to another labour office.")),
            )
        },
    )
)
register(Policy(Board))
register(Policy(BoardPrint, owner=None, parent="board"))
register(Policy(ImportRun, roles={VIEW: OFFICE_ROLES, CHANGE: OFFICE_ROLES}))


def _proposed_here(membership: Membership, proposal: Any) -> Reason | None:
    """The answer and outcome are recorded by the institution that proposed the offer,
    while it may still add to the client's record."""
    if isinstance(proposal, type):
        return None
    rows = OfferProposal.objects.filter(pk=proposal.pk)
    if proposal.institution_id == membership.institution_id and (
        visible(rows, membership.user, CHANGE).exists()
    ):
        return None
    return _("Only the institution that proposed the offer may change this.")


# A proposal is part of the client's record and follows the client's visibility.
register(
    Policy(
        OfferProposal,
        owner=None,
        parent="client",
        roles={VIEW: CASEWORK_ROLES, CHANGE: CASEWORK_ROLES},
        rules={CHANGE: _proposed_here},
    )
)

# Proposing an offer adds to the client's record: a caseworker of an institution
# that owns the record or has it shared for changes.
add_rule(
    Client,
    PROPOSE_OFFER,
    all_of(
        role_in(CASEWORK_ROLES, _("Only caseworkers propose offers to clients.")),
        granted(CHANGE, _("You may not add to this client's record.")),
    ),
)
