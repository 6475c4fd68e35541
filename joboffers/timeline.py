"""The client's timeline entries of this app: offers proposed to the client."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.timeline import TimelineEntry

from .selectors import proposals_of

if TYPE_CHECKING:
    from clients.models import Client
    from cooperation.models import User


def proposal_entries(client: Client, user: User) -> Iterable[TimelineEntry]:
    """One entry per proposal; proposals follow the client's visibility, so a user
    who may see the client may see them. One query."""
    url = reverse("joboffers:client_offers", args=[client.pk])
    for proposal in proposals_of(client):
        offer = proposal.offer
        yield TimelineEntry(
            at=timezone.make_aware(dt.datetime.combine(proposal.proposed_on, dt.time(12, 0))),
            kind=_("Job offer proposed"),
            title=f"{offer.position} ({offer.number})",
            detail=_("Answer: %(answer)s · outcome: %(outcome)s")
            % {
                "answer": proposal.get_answer_display(),
                "outcome": proposal.get_outcome_display(),
            },
            url=url,
            institution=proposal.institution.name,
        )
