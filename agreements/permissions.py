"""Who sees and acts on agreements (see cooperation.permissions).

Visible to every party's staff (workers read); only the parties' coordinators and
administrators act. The state an action needs (a draft, a sent text, an accepted
one) is not a question of who: the services answer it with a form error.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from cooperation.models import Membership
from cooperation.permissions import CHANGE, Policy, Reason, all_of, owner_is_mine, register
from cooperation.roles import MANAGING_ROLES

from .models import Agreement, Annex, Attachment, Coordinator

DRAFT = "draft"  # on the model: draft a new agreement with partners
EDIT_DRAFT = "edit_draft"  # edit or send a draft: the drafting institution only

ONLY_MANAGERS = _("Only a cooperation coordinator or an institution administrator may do this.")
ONLY_DRAFTER = _("Only the institution that drafted the agreement may edit or send it.")


def _manager(membership: Membership, obj: Any) -> Reason | None:
    return None if membership.role in MANAGING_ROLES else ONLY_MANAGERS


# A party's coordinator acts (accepts, returns, records the signed copy, gives
# notice, proposes and approves annexes, adds documents); visibility is being a party.
register(
    Policy(
        Agreement,
        owner="parties__institution",
        rules={
            CHANGE: _manager,
            DRAFT: _manager,
            EDIT_DRAFT: all_of(_manager, owner_is_mine("initiator_id", ONLY_DRAFTER)),
        },
    )
)
register(Policy(Attachment, owner=None, parent="agreement", roles={CHANGE: MANAGING_ROLES}))
register(Policy(Annex, owner=None, parent="agreement", rules={CHANGE: _manager}))
# A coordinator's card is their own institution's: its coordinators keep it.
register(
    Policy(
        Coordinator,
        rules={
            CHANGE: all_of(
                _manager, owner_is_mine("institution_id", _("This card is another institution's."))
            )
        },
    )
)
