"""SEPI answers under the retention pass (clients.retention).

A lookup keeps SEPI's answer for RETENTION["sepi_answers_months"] after it was
asked; then the PESEL sent, the answer and the changes found in it are erased.
The row stays — who asked, for which institution, why, when and with what
outcome — as the evidence of the query and for the lookup statistics.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clients.retention import REASON, RetentionRule, day_end
from cooperation.audit import audit
from cooperation.models import AuditAction

from .models import Lookup, LookupStatus
from .services import ERASED


def _answers_due(cutoff: dt.date) -> QuerySet[Lookup]:
    # Queued or running lookups are left to sepi_sweep_stale: erasing the PESEL
    # under a running task would send SEPI an empty query.
    return (
        Lookup.objects.filter(
            status__in=[LookupStatus.DONE, LookupStatus.FAILED], requested_at__lt=day_end(cutoff)
        )
        .filter(~Q(pesel="") | Q(result__isnull=False))
        .select_related("institution")
    )


def _erase_answer(lookup: Lookup, today: dt.date) -> None:
    Lookup.objects.filter(pk=lookup.pk).update(**ERASED)
    audit(
        actor=None,
        action=AuditAction.DELETE,
        obj=lookup,
        fields=sorted(ERASED),
        reason=REASON,
        institution=lookup.institution,
    )


SEPI_ANSWERS = RetentionRule(
    kind="sepi_answers",
    label=_("SEPI answers"),
    action=pgettext_lazy("retention", "erased, the record of the lookup stays"),
    period="sepi_answers_months",
    due=_answers_due,
    institutions=("institution",),
    erase=_erase_answer,
    order=30,
)
