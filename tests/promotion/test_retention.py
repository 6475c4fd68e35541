"""Closed promotion cases under the retention pass: the copy of the client's data
goes after RETENTION["promotion_cases_months"], the figures stay."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from clients.retention import retention_apply, retention_plan
from cooperation.models import AuditAction, AuditEvent
from promotion import services
from promotion.models import CaseOutcome, CaseStatus, PromotionCase

from .helpers import completed_programme, propose


def _closed_case(ready, person, owner, partner, advisor, *, months_ago: int) -> PromotionCase:
    case = propose(completed_programme(person, owner), owner, partner)
    services.case_take(case=case, acting_user=advisor)
    case = services.case_close(
        case=case, acting_user=advisor, outcome=CaseOutcome.JOB, note="Zatrudniona w magazynie"
    )
    closed = timezone.now() - dt.timedelta(days=31 * months_ago)
    PromotionCase.objects.filter(pk=case.pk).update(closed_at=closed)
    case.refresh_from_db()
    return case


def _promotion(report):
    return next(line for line in report.lines if line.kind == "promotion_cases")


def test_a_case_closed_long_ago_loses_the_clients_data_but_keeps_its_outcome(
    ready, person, owner, own, partner, advisor
) -> None:
    old = _closed_case(ready, person, owner, partner, advisor, months_ago=30)
    report = retention_plan()
    due = _promotion(report)
    assert due.ids == [old.pk]
    assert {own.pk, partner.pk} <= set(due.by_institution())

    retention_apply(report=report)
    old.refresh_from_db()
    assert (old.pesel, old.phone, old.skills, old.closing_note) == ("", "", "", "")
    assert person.last_name not in (old.first_name + old.last_name)
    assert old.status == CaseStatus.CLOSED and old.outcome == CaseOutcome.JOB
    assert AuditEvent.objects.filter(
        action=AuditAction.DELETE, object_id=str(old.pk), reason="retention"
    ).exists()
    # Idempotent: nothing is due the second time.
    assert _promotion(retention_plan()).ids == []


def test_a_recently_closed_or_open_case_keeps_its_data(
    ready, person, owner, partner, advisor
) -> None:
    recent = _closed_case(ready, person, owner, partner, advisor, months_ago=3)
    retention_apply(report=retention_plan())
    recent.refresh_from_db()
    assert recent.pesel == person.pesel
