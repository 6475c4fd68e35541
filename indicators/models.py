"""The annual report on an agreement and its joint self-assessment.

The indicators are computed from the apps' own rows; the last computed
figures of each scope and period are kept in `IndicatorSnapshot` (filled
nightly, read before computing). A report, once every party has approved it, is
frozen: its PDF is kept as a file with its SHA-256 and never rendered again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agreements.models import Agreement
from cooperation.models import Institution


class Topic(models.TextChoices):
    INFORMATION = "information", _("exchange of information")
    PLANS = "plans", _("joint reintegration plans")
    MEETINGS = "meetings", _("meetings and trainings")
    REFERRALS = "referrals", _("referrals to partners")
    SEPI = "sepi", _("use of SEPI")
    JOB_OFFERS = "job_offers", _("job offers")
    PROMOTION = "promotion", _("promotion of clients")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("report status", "draft, waiting for approvals")
    FROZEN = "frozen", pgettext_lazy("report status", "approved by all parties")


def report_path(instance: AnnualReport, filename: str) -> str:
    return f"indicators/reports/{instance.agreement_id}/{instance.year}-{instance.pk}.pdf"


class AnnualReport(models.Model):
    """ "Sprawozdanie z realizacji porozumienia o współpracy za rok …"."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, related_name="annual_reports"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"), max_length=8, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drafted_in = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("drafted"), auto_now_add=True)
    frozen_at = models.DateTimeField(_("approved by all"), null=True, blank=True)
    file = models.FileField(_("PDF"), upload_to=report_path, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("annual report on an agreement")
        verbose_name_plural = _("annual reports on agreements")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "year"], name="one_report_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.agreement.number} / {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("indicators:report", args=[self.pk])

    @property
    def is_frozen(self) -> bool:
        return self.status == ReportStatus.FROZEN


class SelfAssessment(models.Model):
    """One party's answers: a score 1–5 and a comment per topic, what worked,
    what to change. Saving it withdraws the approvals given so far."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="assessments")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(_("answers"), default=dict)  # topic -> {"score": n, "comment": ""}
    what_worked = models.TextField(_("what worked"), blank=True)
    what_to_change = models.TextField(_("what to change"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("self-assessment")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "institution"], name="one_assessment_per_party"
            )
        ]

    def __str__(self) -> str:
        return f"{self.report}: {self.institution.short_name}"

    def score(self, topic: str) -> int | None:
        return (self.answers.get(topic) or {}).get("score")


class ReportApproval(models.Model):
    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="approvals")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("approval of a report")
        constraints = [
            models.UniqueConstraint(fields=["report", "institution"], name="one_approval_per_party")
        ]

    def __str__(self) -> str:
        return f"{self.report}: {self.institution.short_name}"


class IndicatorSnapshot(models.Model):
    """The figures of one scope and period as computed at `computed_at` ("stan na …").

    Filled by the nightly task and by a request that found none fresh (see
    `selectors.figures_cached`); one row per key, replaced, never added beside.
    `scope_key` names whose rows were counted: the institution for its own
    figures, the parties for an agreement's, the viewer and each column's members
    for a county's — so one institution's snapshot is never another's. The
    figures are the counts before suppression; the page suppresses them as it
    would freshly computed ones.
    """

    scope_kind = models.CharField(max_length=16)
    scope_key = models.CharField(max_length=200)  # long ones hashed: see selectors
    period_kind = models.CharField(max_length=8)
    period_start = models.DateField()
    figures = models.JSONField(default=dict)
    computed_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("indicator snapshot")
        verbose_name_plural = _("indicator snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["scope_kind", "scope_key", "period_kind", "period_start"],
                name="indicators_one_snapshot_per_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope_kind} {self.period_kind} {self.period_start}"
