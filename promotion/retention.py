"""Closed promotion cases under the retention pass (clients.retention).

A closed case keeps a copy of the client's name, PESEL, phone and readiness
summary for RETENTION["promotion_cases_months"] after it closed; then
`case_erase` blanks them. Status, dates, priority flags and outcome stay, so the
office's quarterly figures do not change. The case belongs to the proposing
institution and to the office, so it counts in both reports.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clients.retention import REASON, RetentionRule, day_end

from .models import OPEN_STATUSES, PromotionCase
from .services import case_erase


def _closed_cases_due(cutoff: dt.date) -> QuerySet[PromotionCase]:
    return (
        PromotionCase.objects.exclude(status__in=OPEN_STATUSES)
        .filter(closed_at__lt=day_end(cutoff))
        .exclude(first_name="Zanonimizowany", pesel="", phone="", skills="")
        .select_related("proposer", "target")
    )


def _erase(case: PromotionCase, today: dt.date) -> None:
    case_erase(case, reason=REASON)


PROMOTION_CASES = RetentionRule(
    kind="promotion_cases",
    label=_("Client data in closed promotion cases"),
    action=pgettext_lazy("retention", "erased, the status and outcome stay"),
    period="promotion_cases_months",
    due=_closed_cases_due,
    institutions=("proposer", "target"),
    erase=_erase,
    order=45,
)
