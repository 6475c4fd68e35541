"""The client's timeline: changes of the client's plans, for users who may see them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _

from clients.timeline import TimelineEntry

from . import history
from .models import PlanChange
from .selectors import plans_visible_to

if TYPE_CHECKING:
    from clients.models import Client
    from cooperation.models import User

TIMELINE_LIMIT = 50


def plan_timeline(client: Client, user: User) -> Iterable[TimelineEntry]:
    """The latest plan changes of this client's plans the user may see (one query)."""
    changes = (
        PlanChange.objects.filter(
            plan__in=plans_visible_to(user).filter(client=client).values("pk")
        )
        .select_related("actor", "institution")
        .order_by("-at", "-pk")[:TIMELINE_LIMIT]
    )
    kind = _("Reintegration plan")
    return [
        TimelineEntry(
            at=c.at,
            kind=kind,
            title=history.title(c),
            detail=c.actor.display_name if c.actor else "",
            url=reverse("reintegration:detail", args=[c.plan_id]),
            institution=c.institution.name if c.institution else "",
        )
        for c in changes
    ]
