"""The client's timeline: the case conferences about them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from clients.timeline import TimelineEntry

from .models import EventKind
from .selectors import occurrences_visible_to

if TYPE_CHECKING:
    from clients.models import Client
    from cooperation.models import User


def case_conference_entries(client: Client, user: User) -> list[TimelineEntry]:
    """The dates of case conferences about this client that the user's institution
    takes part in (one query). The timeline is shown only to people who may see
    the client, so the entry may name the conference."""
    dates = (
        occurrences_visible_to(user)
        .filter(event__client=client, event__kind=EventKind.CASE_CONFERENCE)
        .order_by("-starts_at")[:50]
    )
    return [
        TimelineEntry(
            at=o.starts_at,
            kind=str(EventKind.CASE_CONFERENCE.label),
            title=o.event.title,
            detail=_("cancelled") if o.cancelled or o.event.is_cancelled else "",
            url=o.get_absolute_url(),
            institution=o.event.organiser.name,
        )
        for o in dates
    ]
