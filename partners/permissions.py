"""Who sees and acts on services and referrals (see cooperation.permissions)."""

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
    kind_in,
    owner_is_mine,
    register,
    role_in,
)
from cooperation.roles import (
    CASEWORK_ROLES,
    CATALOGUE_ROLES,
    PARTNER_ORG_KINDS,
    PARTNER_ROLES,
    REFERRAL_ROLES,
)

from .models import (
    Referral,
    ReferralEvent,
    ReferralGroupObjectPermission,
    ServiceDelivery,
    ServiceOffer,
)

REFER = "refer"  # on a Client: refer them to a partner's service
SERVE = "serve"  # on a Referral: the partner accepts, declines, starts, records, completes
CANCEL = "cancel"  # on a Referral: the referring institution withdraws it


def _consent_active(membership: Membership, referral: Any) -> Reason | None:
    if isinstance(referral, type) or referral.consent.is_active:
        return None
    # The nightly pass cancels it; until then nothing more flows either way.
    return _("The client's consent was withdrawn or has lapsed.")


# The directory is read through its own selector (the network); this
# policy says who changes a service: its own organisation's staff.
register(
    Policy(
        ServiceOffer,
        owner="provider",
        roles={CHANGE: CATALOGUE_ROLES},
        rules={
            CHANGE: all_of(
                kind_in(
                    PARTNER_ORG_KINDS,
                    _("Only the staff of an NGO or a social economy entity keep its catalogue."),
                ),
                owner_is_mine(
                    "provider_id", _("Only the organisation that offers a service may change it.")
                ),
            )
        },
    )
)
# A referral belongs to the referring institution; the partner organisation
# gets an object permission on that referral alone, never on the client.
register(
    Policy(
        Referral,
        owner="referrer",
        group_permission_model=ReferralGroupObjectPermission,
        roles={VIEW: REFERRAL_ROLES, CHANGE: REFERRAL_ROLES},
        shared_actions=frozenset({VIEW, CHANGE}),
        rules={
            SERVE: all_of(
                role_in(PARTNER_ROLES, _("Only the partner organisation's staff may do this.")),
                owner_is_mine(
                    "partner_id",
                    _("Only the organisation the client was referred to may do this."),
                ),
                _consent_active,
            ),
            CANCEL: all_of(
                role_in(CASEWORK_ROLES, _("Only the referring institution's workers may do this.")),
                owner_is_mine("referrer_id", _("Only the referring institution may do this.")),
            ),
        },
    )
)
for model in (ReferralEvent, ServiceDelivery):
    register(Policy(model, owner=None, parent="referral", roles={VIEW: REFERRAL_ROLES}))

# Referring a client: the caseworkers of an institution that sees the client.
add_rule(
    Client,
    REFER,
    role_in(
        CASEWORK_ROLES,
        _("Only social workers, client advisors and coordinators refer clients."),
    ),
)
