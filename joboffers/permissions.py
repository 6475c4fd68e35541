"""Who sees and acts on job offers (see cooperation.permissions)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

import clients.permissions  # noqa: F401 - the Client policy this app adds an action to
from clients.models import Client
from cooperation.permissions import (
    CHANGE,
    VIEW,
    Policy,
    add_rule,
    all_of,
    granted,
    register,
    role_in,
)
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

PROPOSE = "propose_offer"  # on a Client: record an offer proposed to them
# Adding a proposal to someone's record: the owner, or a partner the client is shared
# with for changes (not only for reading). Client CHANGE itself is the owner's alone
# (identity data), so this is its own action.
add_rule(
    Client,
    PROPOSE,
    all_of(
        role_in(CASEWORK_ROLES),
        granted(CHANGE, _("You may not add to this client's record.")),
    ),
)
