"""Permission-filtered reads of programmes and promotion cases."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperation.charts import bar_chart
from cooperation.http import MemberRequest
from cooperation.permissions import VIEW, get_visible_or_404, visible
from cooperation.roles import MANAGING_ROLES

from .models import OPEN_STATUSES, OVERDUE_DAYS, CaseOutcome, CaseStatus, Programme, PromotionCase

if TYPE_CHECKING:
    from clients.models import Client
    from cooperation.models import User

HOME_LIMIT = 10


def overdue_before(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) - dt.timedelta(days=OVERDUE_DAYS)


def cases_visible_to(user: User) -> QuerySet[PromotionCase]:
    """Cases the user's institution proposed or received, ready for a list."""
    return visible(PromotionCase, user).select_related(
        "proposer", "target", "assigned_to", "programme"
    )


def case_get_for_user(user: User, pk: int, action: str = VIEW) -> PromotionCase:
    """One case: 404 for outsiders, 403 for a row the user may see but not act on."""
    return get_visible_or_404(cases_visible_to(user), user, action, pk=pk)


def queue_for(user: User, *, state: str = "open", mine: bool = False) -> QuerySet[PromotionCase]:
    """The queue: highest priority first, then the longest waiting."""
    qs = cases_visible_to(user)
    qs = (
        qs.filter(status__in=OPEN_STATUSES)
        if state == "open"
        else qs.exclude(status__in=OPEN_STATUSES)
    )
    if mine:
        qs = qs.filter(assigned_to=user)
    return qs.order_by("-priority", "proposed_at", "pk")


def programmes_of(client: Client) -> QuerySet[Programme]:
    """A client's programmes; the caller has already checked the client is visible."""
    return client.programmes.select_related("recorded_in").order_by("-started_on", "-pk")


def programme_get_for_user(user: User, pk: int) -> Programme:
    return get_visible_or_404(Programme.objects.select_related("client"), user, VIEW, pk=pk)


def overdue_cases(qs: QuerySet[PromotionCase], now: dt.datetime | None = None) -> QuerySet:
    return qs.filter(status__in=OPEN_STATUSES, last_activity_at__lt=overdue_before(now))


def home_overdue_cases(request: MemberRequest) -> list[PromotionCase]:
    """Advisors: their own and unassigned overdue cases; coordinators: all of the office's."""
    membership = request.membership
    qs = overdue_cases(cases_visible_to(request.user).filter(target=membership.institution))
    if membership.role not in MANAGING_ROLES:
        qs = qs.filter(Q(assigned_to=request.user) | Q(assigned_to__isnull=True))
    return list(qs.order_by("last_activity_at")[:HOME_LIMIT])


def _quarter(at: dt.datetime) -> str:
    local = timezone.localtime(at)
    return f"{local.year} Q{(local.month - 1) // 3 + 1}"


def _median_days(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def figures_by_quarter(user: User) -> list[dict[str, Any]]:
    """Per quarter of proposal: proposed, taken, closed by outcome, and the median
    days to the first action and to the outcome. One query, whatever the volume."""
    rows = cases_visible_to(user).values_list(
        "proposed_at", "taken_at", "first_action_at", "closed_at", "status", "outcome"
    )
    quarters: dict[str, dict[str, Any]] = defaultdict(
        lambda: {
            "proposed": 0,
            "taken": 0,
            "closed": 0,
            "outcomes": dict.fromkeys(CaseOutcome.values, 0),
            "to_action": [],
            "to_outcome": [],
        }
    )
    for proposed_at, taken_at, first_action_at, closed_at, status, outcome in rows:
        q = quarters[_quarter(proposed_at)]
        q["proposed"] += 1
        q["taken"] += taken_at is not None
        if status == CaseStatus.CLOSED:
            q["closed"] += 1
            q["outcomes"][outcome] += 1
            q["to_outcome"].append((closed_at - proposed_at).total_seconds() / 86400)  # type: ignore[operator]
        if first_action_at is not None:
            q["to_action"].append((first_action_at - proposed_at).total_seconds() / 86400)
    table = []
    for key in sorted(quarters):
        q = quarters[key]
        table.append(
            {
                "quarter": key,
                "proposed": q["proposed"],
                "taken": q["taken"],
                "closed": q["closed"],
                "outcomes": [(CaseOutcome(k).label, v) for k, v in q["outcomes"].items()],
                "closed_outcomes": [
                    (CaseOutcome(k).label, v) for k, v in q["outcomes"].items() if v
                ],
                "median_to_action": _median_days(q["to_action"]),
                "median_to_outcome": _median_days(q["to_outcome"]),
            }
        )
    return table


def chart_for(table: list[dict[str, Any]]) -> dict[str, Any]:
    """Bar geometry for the inline SVG (proposed / taken / closed per quarter)."""
    return bar_chart(
        table,
        series=(
            ("proposed", "chart__bar--proposed", _("cases proposed")),
            ("taken", "chart__bar--taken", _("cases taken")),
            ("closed", "chart__bar--closed", _("cases closed")),
        ),
        label="quarter",
    )


def proposal_initial(client: Client | None, offices: QuerySet) -> dict[str, Any]:
    """What the proposal form already knows: the only labour office under an
    agreement, the client's recorded skills, and the age groups from the date
    of birth (PESEL). "Over 50" counts from the 50th birthday, as the labour
    offices do; "under 30" until the 30th."""
    initial: dict[str, Any] = {}
    only = list(offices[:2])
    if len(only) == 1:
        initial["target"] = only[0].pk
    if client is None:
        return initial
    initial["skills"] = client.skills
    born = client.birth_date
    if born is None and client.pesel:
        from cooperation.validators import pesel_decode

        born = pesel_decode(client.pesel).birth_date
    if born is not None:
        today = timezone.localdate()
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        initial["under_30"] = age < 30
        initial["over_50"] = age >= 50
    return initial
