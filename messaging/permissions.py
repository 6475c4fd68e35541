"""Who sees and acts on messages, information requests and announcements
(see cooperation.permissions).

Messages and requests are part of the client's record: they follow the client's
visibility (`parent="client"`), so whoever stops seeing the client (a share ended,
consent withdrawn, an agreement lost) stops seeing them, and no permission row is
made per message. A request is seen only by the two institutions it links.
Announcements are shared with the chosen partners; a partner sees one only while
an agreement with the sender is in force and its dates hold.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import clients.permissions  # noqa: F401 - the Client policy this app adds to
from agreements.models import Party
from agreements.scope import in_force
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
from cooperation.roles import CASEWORK_ROLES, COORDINATOR_ROLES

from .models import (
    Announcement,
    AnnouncementGroupObjectPermission,
    InformationRequest,
    Message,
)

MESSAGE = "message"  # on a Client: write in its thread
ASK = "ask"  # on a Client: send an information request about them
ANSWER = "answer"  # on an InformationRequest
WITHDRAW = "withdraw"  # on an InformationRequest
POST = "post"  # on Announcement (the model): post one

CASEWORK_ONLY = _("Only social workers, client advisors and coordinators write about clients.")
casework = role_in(CASEWORK_ROLES, CASEWORK_ONLY)

add_rule(
    Client,
    MESSAGE,
    all_of(casework, granted(VIEW, _("You do not have access to this client."))),
)
add_rule(
    Client,
    ASK,
    all_of(casework, granted(VIEW, _("You do not have access to this client."))),
)
register(Policy(Message, owner=None, parent="client", roles={VIEW: CASEWORK_ROLES}))


def _between_the_two(membership: Membership) -> Q:
    """A request is the business of the institution asking and the one asked."""
    return Q(asker=membership.institution_id) | Q(asked=membership.institution_id)


def _asked_here(membership: Membership, request: Any) -> Reason | None:
    if isinstance(request, type) or request.asked_id == membership.institution_id:
        return None
    return _("Only the institution that was asked answers.")


register(
    Policy(
        InformationRequest,
        owner=None,
        parent="client",
        roles={VIEW: CASEWORK_ROLES, CHANGE: CASEWORK_ROLES},
        condition=_between_the_two,
        rules={
            ANSWER: all_of(casework, _asked_here),
            WITHDRAW: all_of(
                casework,
                owner_is_mine("asker_id", _("Only the institution that asked withdraws.")),
            ),
        },
    )
)


def partners_in_force_query(institution_id: int) -> Any:
    """Ids of the institutions an agreement in force (any scope) links to this one, as a
    subquery."""
    mine = in_force().filter(parties__institution_id=institution_id)
    return (
        Party.objects.filter(agreement__in=mine.values("pk"))
        .exclude(institution_id=institution_id)
        .values("institution_id")
    )


def _announcement_shown(membership: Membership) -> Q:
    """The sender's institution sees its announcements; a partner it chose sees one
    while its dates hold and an agreement with the sender is in force."""
    today = timezone.localdate()
    return Q(institution=membership.institution_id) | Q(
        shown_from__lte=today,
        shown_until__gte=today,
        institution__in=partners_in_force_query(membership.institution_id),
    )


ONLY_COORDINATORS = _("Only a cooperation coordinator posts announcements.")
register(
    Policy(
        Announcement,
        group_permission_model=AnnouncementGroupObjectPermission,
        condition=_announcement_shown,
        rules={POST: role_in(COORDINATOR_ROLES, ONLY_COORDINATORS)},
    )
)
