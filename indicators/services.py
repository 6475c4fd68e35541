"""Writes of the annual report: draft, self-assessment, approval, freezing, reminder.

Every service checks that the acting user is a coordinator (or administrator)
of a party to the agreement, works inside one transaction and writes an
audit row.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agreements.models import Agreement, Status
from cooperation import events
from cooperation.audit import audit
from cooperation.models import AuditAction, User
from cooperation.permissions import CHANGE, acting_institution, require

from .models import AnnualReport, ReportApproval, ReportStatus, SelfAssessment, Topic
from .permissions import REPORT


def report_years(agreement: Agreement, *, today: dt.date | None = None) -> list[int]:
    """Years a report may be drafted for: from the agreement's start to this year."""
    today = today or timezone.localdate()
    if agreement.status in (Status.DRAFT, Status.SENT) or agreement.valid_from.year > today.year:
        return []
    last = today.year
    end = agreement.termination_date or agreement.valid_until
    if end is not None:
        last = min(last, end.year)
    return list(range(last, agreement.valid_from.year - 1, -1))


@transaction.atomic
def report_draft(*, agreement: Agreement, year: int, acting_user: User) -> AnnualReport:
    """Open the report for a year. Guarantees one report per agreement and year."""
    require(acting_user, agreement, REPORT)
    institution = acting_institution(acting_user)
    if year not in report_years(agreement):
        raise ValidationError(
            {"year": _("A report can be drafted only for a year of the agreement, up to this one.")}
        )
    if AnnualReport.objects.filter(agreement=agreement, year=year).exists():
        raise ValidationError({"year": _("The report for this year has already been drafted.")})
    report = AnnualReport(
        agreement=agreement, year=year, drafted_by=acting_user, drafted_in=institution
    )
    report.full_clean()
    report.save()
    audit(actor=acting_user, action=AuditAction.CREATE, obj=report)
    return report


def _check_open(report: AnnualReport) -> None:
    if report.is_frozen:
        raise ValidationError(
            _("The report has been approved by every party and can no longer change.")
        )


def _clean_answers(answers: dict[str, dict[str, object]]) -> dict[str, dict[str, object]]:
    cleaned = {}
    for topic in Topic.values:
        answer = answers.get(topic) or {}
        score = answer.get("score")
        if not isinstance(score, int) or not 1 <= score <= 5:
            raise ValidationError({topic: _("Give a score from 1 to 5.")})
        cleaned[topic] = {"score": score, "comment": str(answer.get("comment") or "")[:1000]}
    return cleaned


@transaction.atomic
def assessment_save(
    *,
    report: AnnualReport,
    acting_user: User,
    answers: dict[str, dict[str, object]],
    what_worked: str,
    what_to_change: str,
) -> SelfAssessment:
    """Record the acting party's answers. Approvals given so far are withdrawn:
    every party approves the report as it finally reads."""
    require(acting_user, report, CHANGE)
    report = AnnualReport.objects.select_for_update().get(pk=report.pk)
    _check_open(report)
    institution = acting_institution(acting_user)
    assessment, _created = SelfAssessment.objects.get_or_create(
        report=report,
        institution=institution,
        defaults={"answered_by": acting_user},
    )
    assessment.answers = _clean_answers(answers)
    assessment.what_worked = what_worked.strip()
    assessment.what_to_change = what_to_change.strip()
    assessment.answered_by = acting_user
    assessment.full_clean()
    assessment.save()
    report.approvals.all().delete()
    audit(actor=acting_user, action=AuditAction.UPDATE, obj=report, fields=["assessments"])
    return assessment


@transaction.atomic
def report_approve(*, report: AnnualReport, acting_user: User) -> AnnualReport:
    """The acting party approves; when every party has, the report is frozen."""
    require(acting_user, report, CHANGE)
    report = AnnualReport.objects.select_for_update().get(pk=report.pk)
    _check_open(report)
    institution = acting_institution(acting_user)
    if not report.assessments.filter(institution=institution).exists():
        raise ValidationError(_("Fill in your institution's self-assessment before approving."))
    ReportApproval.objects.get_or_create(
        report=report, institution=institution, defaults={"approved_by": acting_user}
    )
    audit(actor=acting_user, action=AuditAction.UPDATE, obj=report, fields=["approvals"])
    parties = set(report.agreement.parties.values_list("institution_id", flat=True))
    approved = set(report.approvals.values_list("institution_id", flat=True))
    if parties <= approved:
        report_freeze(report=report)
    return report


def report_freeze(*, report: AnnualReport) -> AnnualReport:
    """Render the PDF once and keep it; from now on the file is what is served."""
    from cooperation.pdf import render_pdf

    from .reports import report_context

    with translation.override("pl"):  # the kept file is the Polish document, whoever froze it
        pdf = render_pdf("pdf/indicators/annual_report.html", report_context(report, final=True))
    report.file.save(f"{report.year}.pdf", ContentFile(pdf), save=False)
    report.sha256 = hashlib.sha256(pdf).hexdigest()
    report.status = ReportStatus.FROZEN
    report.frozen_at = timezone.now()
    report.save(update_fields=["file", "sha256", "status", "frozen_at"])
    return report


def reports_remind(*, today: dt.date | None = None) -> int:
    """In January: tell the coordinators of every agreement that was in force last
    year and has no report for it yet (an event per agreement; the notification
    centre tells and e-mails them). Returns how many agreements."""
    today = today or timezone.localdate()
    if today.month != 1:
        return 0
    year = today.year - 1
    due = (
        Agreement.objects.filter(
            status__in=[Status.ACTIVE, Status.EXPIRED, Status.TERMINATED],
            valid_from__lte=dt.date(year, 12, 31),
        )
        .exclude(valid_until__lt=dt.date(year, 1, 1))
        .exclude(termination_date__lt=dt.date(year, 1, 1))
        .exclude(annual_reports__year=year, annual_reports__status=ReportStatus.FROZEN)
    )
    told = 0
    for agreement in due:
        events.emit("indicators.report_due", target=agreement, year=year)
        told += 1
    return told
