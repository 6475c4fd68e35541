"""Who sees and acts on job offers (see cooperation.permissions)."""

from __future__ import annotations

from cooperation.permissions import CHANGE, VIEW, Policy, register
from cooperation.roles import CASEWORK_ROLES, OFFICE_ROLES

from .models import (
    Board,
    BoardPrint,
    ImportRun,
    JobOffer,
    JobOfferGroupObjectPermission,
    OfferProposal,
)

# An offer: its labour office sees and acts; a board's institution sees it
# while it is published there (a grant given and taken with the publication).
register(
    Policy(
        JobOffer,
        group_permission_model=JobOfferGroupObjectPermission,
        roles={CHANGE: OFFICE_ROLES},
    )
)
register(Policy(Board))
register(Policy(BoardPrint, owner=None, parent="board"))
register(Policy(ImportRun, roles={VIEW: OFFICE_ROLES, CHANGE: OFFICE_ROLES}))
# A proposal is part of the client's record and follows the client's visibility.
register(
    Policy(
        OfferProposal,
        owner=None,
        parent="client",
        roles={VIEW: CASEWORK_ROLES, CHANGE: CASEWORK_ROLES},
    )
)
