"""What the annual report says: read once for the page and the PDF."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from agreements.models import Coordinator, Party
from cooperation.models import User
from cooperation.permissions import get_visible_or_404, visible

from .definitions import tables
from .models import AnnualReport, SelfAssessment, Topic
from .periods import YEAR, Period
from .selectors import figures_cached, figures_compute, scope_agreement, table_cells


def reports_visible_to(user: User) -> QuerySet[AnnualReport]:
    return visible(AnnualReport, user).select_related("agreement", "drafted_in", "drafted_by")


def report_get_for_user(user: User, pk: int, action: str = "view") -> AnnualReport:
    """One report of an agreement the user's institution is party to (404 otherwise)."""
    return get_visible_or_404(reports_visible_to(user), user, action, pk=pk)


def _meetings(party_ids: set[int], year: int) -> list[Any]:
    from meetings.models import EventStatus, Occurrence

    period = Period(YEAR, year)
    occurrences = (
        Occurrence.objects.filter(
            starts_at__gte=period.start_at,
            starts_at__lt=period.end_at,
            cancelled=False,
            event__status=EventStatus.SCHEDULED,
            event__organiser_id__in=party_ids,
            event__institution_links__institution_id__in=party_ids,
        )
        .exclude(event__client__isnull=False)  # a case conference is about a person: not listed
        .select_related("event", "event__organiser")
        .distinct()
        .order_by("starts_at")
    )
    return list(occurrences)


def _assessments(report: AnnualReport, parties: list[Party]) -> dict[str, Any]:
    """Topics as rows, parties as columns; and each party's change since last year's report."""
    mine = {a.institution_id: a for a in report.assessments.all()}
    earlier = (
        SelfAssessment.objects.filter(
            report__agreement=report.agreement, report__year__lt=report.year
        )
        .order_by("institution_id", "-report__year")
        .select_related("report")
    )
    last: dict[int, SelfAssessment] = {}
    for a in earlier:
        last.setdefault(a.institution_id, a)
    rows = []
    for topic, label in Topic.choices:
        cells = []
        for party in parties:
            now = mine.get(party.institution_id)
            before = last.get(party.institution_id)
            score = now.score(topic) if now else None
            old = before.score(topic) if before else None
            cells.append(
                {
                    "score": score,
                    "comment": (now.answers.get(topic) or {}).get("comment", "") if now else "",
                    "change": score - old if score is not None and old is not None else None,
                }
            )
        rows.append({"topic": label, "cells": cells})
    return {
        "rows": rows,
        "by_party": [mine.get(p.institution_id) for p in parties],
        "last_years": sorted({a.report.year for a in last.values()}),
    }


def report_context(report: AnnualReport, *, final: bool = False) -> dict[str, Any]:
    agreement = report.agreement
    parties = list(
        agreement.parties.select_related("institution")
        .prefetch_related(
            Prefetch(
                "institution__coordinators",
                queryset=Coordinator.objects.select_related("user"),
            )
        )
        .order_by("pk")
    )
    scope = scope_agreement(agreement)
    period = Period(YEAR, report.year)
    # The kept file is computed afresh; a draft's page and preview may use the nightly figures.
    figures = figures_compute(scope, period) if final else figures_cached(scope, period)[0]
    shown = [{"title": t.title, "rows": table_cells(t, figures, exact=False)} for t in tables()]
    approvals = list(report.approvals.select_related("institution", "approved_by"))
    return {
        "report": report,
        "agreement": agreement,
        "parties": parties,
        "period": period,
        "tables": shown,
        "meetings": _meetings({p.institution_id for p in parties}, report.year),
        "assessment": _assessments(report, parties),
        "approvals": approvals,
        "party_approvals": [
            (p, next((a for a in approvals if a.institution_id == p.institution_id), None))
            for p in parties
        ],
        "final": final,
        "today": timezone.localdate(),
    }


def home_reports_waiting(request: Any) -> list[AnnualReport]:
    """Draft reports on the user's agreements that their institution has not approved yet."""
    from cooperation.permissions import institution_of

    institution = institution_of(request.user)
    return list(
        reports_visible_to(request.user)
        .filter(status="draft")
        .exclude(approvals__institution=institution)
        .order_by("-year", "pk")[:8]
    )
