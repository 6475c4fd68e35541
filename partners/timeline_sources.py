"""Referrals on the client's timeline and record page, for the referring
institution only: the partner organisation never sees the client's record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import Client, ClientStatus
from clients.timeline import TimelineEntry
from cooperation.http import MemberRequest
from cooperation.models import User
from cooperation.roles import CASEWORK_ROLES

from .selectors import (
    client_deliveries,
    client_referral_events,
    client_referrals,
    referral_services_for,
)


def referral_entries(client: Client, user: User) -> Iterable[TimelineEntry]:
    """Each step of the client's referrals, and each service the partner delivered. Two queries."""
    for event in client_referral_events(user, client):
        referral = event.referral
        yield TimelineEntry(
            event.at,
            _("Referral"),
            _("%(service)s (%(partner)s): %(what)s")
            % {
                "service": referral.service.name,
                "partner": referral.partner.name,
                "what": event.get_kind_display(),
            },
            detail=event.comment,
            url=referral.get_absolute_url(),
            institution=event.institution.name if event.institution else "",
        )
    for delivery in client_deliveries(user, client):
        referral = delivery.referral
        at = timezone.make_aware(dt.datetime.combine(delivery.delivered_on, dt.time(12, 0)))
        yield TimelineEntry(
            at,
            _("Service delivered"),
            _("%(service)s: %(kind)s, %(hours)s h")
            % {
                "service": referral.service.name,
                "kind": delivery.get_kind_display(),
                "hours": floatformat(delivery.hours, -1),
            },
            detail=delivery.note,
            url=referral.get_absolute_url(),
            institution=referral.partner.name,
        )


def referral_panel(request: MemberRequest, client: Client) -> dict[str, Any] | None:
    """The "Referrals" box on the client's record: this institution's referrals
    of the client, and the way to make one while an agreement covers referrals."""
    membership = request.membership
    if membership is None or membership.role not in CASEWORK_ROLES:
        return None
    referrals = client_referrals(request.user, client)
    # Offered only when a partner under an agreement covering referrals has a service
    # to refer to: an agreement alone (a PUP's, say, whose partners list none) would
    # lead to an empty form.
    can_refer = (
        client.status == ClientStatus.ACTIVE and referral_services_for(request.user).exists()
    )
    if not referrals and not can_refer:
        return None
    return {"referrals": referrals, "can_refer": can_refer}
