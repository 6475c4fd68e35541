"""Referrals under the retention pass (clients.retention).

An ended referral (declined, completed or cancelled) keeps the snapshot of the
client's data, and what the two sides wrote about the person, for
RETENTION["referral_snapshots_months"] after it closed; then `referral_wipe`
erases them. Status, service, dates, outcome and hours delivered stay, so the
referral statistics do not change. The referral belongs to both sides, so it
counts in the report of the referring institution and of the organisation.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clients.retention import REASON, RetentionRule, day_end

from .models import OPEN_STATUSES, Referral
from .services import referral_wipe


def _snapshots_due(cutoff: dt.date) -> QuerySet[Referral]:
    return (
        Referral.objects.exclude(status__in=OPEN_STATUSES)
        .filter(closed_at__lt=day_end(cutoff), wiped_at__isnull=True)
        .select_related("referrer")
    )


def _wipe(referral: Referral, today: dt.date) -> None:
    referral_wipe(referral=referral, reason=REASON)


REFERRAL_SNAPSHOTS = RetentionRule(
    kind="referral_snapshots",
    label=_("Client data in ended referrals"),
    action=pgettext_lazy("retention", "erased, the status and outcome stay"),
    period="referral_snapshots_months",
    due=_snapshots_due,
    institutions=("referrer", "partner"),
    erase=_wipe,
    order=40,
)
