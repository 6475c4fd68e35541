"""Who may ask SEPI about whom (issue 15, gate 1), and who sees the lookups.

SEPI answers (benefits, health insurance, registration at the labour office)
may be asked only by a social assistance centre (OPS, PCPR) - its social
workers and their coordinators - only while an agreement in force with the
labour office (PUP) covers SEPI, and only about a client the institution owns
or that is shared with it under a consent covering SEPI. Never by an NGO, a
CIS, KIS or a PUP through this application. The purpose and legal basis of
each lookup are recorded on the `Lookup` (see services.lookup_request).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

import clients.permissions  # noqa: F401 - the Client policy this app adds an action to
from agreements.models import Scope
from agreements.scope import agreement_covers, partners_covering_query
from clients.models import Client, ClientShare
from cooperation.models import Institution, Membership
from cooperation.permissions import (
    CHANGE,
    VIEW,
    Policy,
    Reason,
    add_rule,
    all_of,
    kind_in,
    register,
    role_in,
)
from cooperation.roles import (
    COORDINATOR_ROLES,
    LABOUR_OFFICE_KINDS,
    MANAGING_ROLES,
    SEPI_KINDS,
    SEPI_ROLES,
)

from .models import BatchCheck, Lookup

SEPI_LOOKUP = "sepi_lookup"  # on a Client: ask SEPI about them
ASK = "ask"  # on the Lookup model: may this person ask SEPI at all (the page, the menu)

sepi_role = role_in(SEPI_ROLES, _("Only social workers and their coordinators ask SEPI."))
sepi_kind = kind_in(
    SEPI_KINDS,
    _("Only a social assistance centre (OPS, PCPR) asks SEPI through this application."),
)


def agreement_with_office(membership: Membership, obj: Any) -> Reason | None:
    covering = partners_covering_query(membership.institution_id, Scope.SEPI)
    if Institution.objects.filter(pk__in=covering, kind__in=LABOUR_OFFICE_KINDS).exists():
        return None
    return _("No agreement in force with the labour office (PUP) covers SEPI lookups.")


def client_in_reach(membership: Membership, client: Client) -> Reason | None:
    """Our own client; or one shared with us under a consent covering SEPI, while our
    agreement with the owner covers SEPI too."""
    mine = membership.institution_id
    if client.owner_id == mine:
        return None
    shared = ClientShare.objects.filter(client=client, partner_id=mine, ended_at__isnull=True)
    if not shared.exists():
        return _("SEPI may be asked only about your own clients or clients shared with you.")
    consented = any(
        Scope.SEPI in c.scopes and c.is_active for c in client.consents.filter(partner_id=mine)
    )
    if not consented or not agreement_covers(client.owner_id, mine, Scope.SEPI):
        return _("The client's consent or your agreement with their owner does not cover SEPI.")
    return None


may_ask = all_of(sepi_role, sepi_kind, agreement_with_office)
add_rule(Client, SEPI_LOOKUP, all_of(may_ask, client_in_reach))

# A lookup is the asking institution's own record; it is never shared.
register(
    Policy(
        Lookup,
        owner="institution",
        roles={VIEW: SEPI_ROLES | MANAGING_ROLES, CHANGE: SEPI_ROLES},
        rules={
            ASK: may_ask,
            # The institution's list of lookups, for the coordinator's audits (and the
            # menu entry): only where lookups can be made at all.
            "list": all_of(role_in(MANAGING_ROLES), sepi_kind),
        },
    )
)
register(
    Policy(
        BatchCheck,
        owner="institution",
        roles={VIEW: MANAGING_ROLES, CHANGE: COORDINATOR_ROLES},
        rules={
            "start": all_of(
                role_in(
                    COORDINATOR_ROLES, _("Only a cooperation coordinator may run a batch check.")
                ),
                sepi_kind,
                agreement_with_office,
            )
        },
    )
)
