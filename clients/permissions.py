"""Who sees client records and who may do what to them (see cooperation.permissions).

The owner (the institution that registered the client) keeps the identity data,
the consents and the sharing; a partner the client is shared with reads the
record and adds notes and documents. Only public institutions that keep the
register (OPS, PCPR, PUP) register clients: NGOs and social economy entities
meet participants through referrals.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cooperation.permissions import (
    CHANGE,
    VIEW,
    Policy,
    all_of,
    kind_in,
    owner_is_mine,
    register,
    role_in,
)
from cooperation.roles import CASEWORK_ROLES, MANAGING_ROLES, REGISTER_KINDS

from .access import on_grants_changed
from .models import (
    AccessRequest,
    CaseNote,
    Client,
    ClientDocument,
    ClientGroupObjectPermission,
    ClientShare,
    Consent,
)

REGISTER = "register"  # add a client to the register (on the model)
LIST = "list"  # the register's list and search
NOTE = "note"  # add a note to the record
DOCUMENT = "document"  # add a document to the record
SHARE = "share"  # record or withdraw consent, share or stop sharing, answer access requests
CLOSE = "close"
ANONYMISE = "anonymise"
CREATE = "create"

casework = role_in(
    CASEWORK_ROLES,
    _("Only social workers, client advisors and coordinators work with client records."),
)
register_kind = kind_in(
    REGISTER_KINDS,
    _(
        "Non-governmental organisations and social economy entities do not register "
        "clients; participants come to them through referrals."
    ),
)
ANONYMISE_WHO = _("Only a coordinator or administrator of the owning institution may anonymise.")
owner_only = owner_is_mine(
    "owner_id", _("Only the institution that registered the client may do this.")
)

register(
    Policy(
        Client,
        owner="owner",
        group_permission_model=ClientGroupObjectPermission,
        # The access table is derived from the grants, in the same transaction.
        on_grants_changed=on_grants_changed,
        roles={VIEW: CASEWORK_ROLES, CHANGE: CASEWORK_ROLES},
        shared_actions=frozenset({VIEW, CHANGE}),
        rules={
            REGISTER: all_of(casework, register_kind),
            LIST: all_of(casework, register_kind),
            # Identity data: the owner's alone (issue 15, gate 5).
            CHANGE: all_of(
                casework,
                owner_is_mine(
                    "owner_id",
                    _("Only the institution that registered the client changes their data."),
                ),
            ),
            NOTE: casework,
            DOCUMENT: casework,
            SHARE: all_of(
                casework,
                owner_is_mine(
                    "owner_id",
                    _(
                        "Only the institution that registered the client records consents "
                        "and shares the record."
                    ),
                ),
            ),
            CLOSE: all_of(casework, owner_only),
            ANONYMISE: all_of(
                role_in(MANAGING_ROLES, ANONYMISE_WHO),
                owner_is_mine("owner_id", ANONYMISE_WHO),
            ),
        },
    )
)
# Children of a client follow its visibility; no permission row per child.
register(
    Policy(
        CaseNote, owner=None, parent="client", roles={VIEW: CASEWORK_ROLES, CHANGE: CASEWORK_ROLES}
    )
)
register(
    Policy(
        ClientDocument,
        owner=None,
        parent="client",
        roles={VIEW: CASEWORK_ROLES, CHANGE: CASEWORK_ROLES},
    )
)
# Consents, shares and access requests are the owner's business alone.
for model in (Consent, ClientShare):
    register(
        Policy(model, owner="client__owner", roles={VIEW: CASEWORK_ROLES, CHANGE: CASEWORK_ROLES})
    )
register(
    Policy(
        AccessRequest,
        owner="client__owner",
        roles={VIEW: CASEWORK_ROLES, CHANGE: CASEWORK_ROLES},
        # Asking a partner to share someone: only who keeps the register may.
        rules={CREATE: all_of(casework, register_kind)},
    )
)
