"""R5: SEPI lookups. Every lookup is a row: who asked, for which institution,
about which client, why (the legal basis), when, and what came of it; the
answer itself is kept on the row (for the cache and change detection), never
in the audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clients.models import Client
from cooperation.models import Institution


class Purpose(models.TextChoices):
    """Why a worker asks SEPI: the purpose and its legal basis (required, from this list)."""

    BENEFIT_ELIGIBILITY = (
        "benefit_eligibility",
        _(
            "Assessing eligibility for social assistance benefits "
            "(Art. 107 of the Social Assistance Act)"
        ),
    )
    SOCIAL_CONTRACT = (
        "social_contract",
        _("Preparing or reviewing a social contract (Art. 108 of the Social Assistance Act)"),
    )
    REINTEGRATION_PLAN = (
        "reintegration_plan",
        _("Joint reintegration plan with the labour office (cooperation agreement)"),
    )
    PROMOTION_QUEUE = (
        "promotion_queue",
        _("Verifying labour-market status for the promotion queue"),
    )
    ACTIVATION_PROGRAMME = (
        "activation_programme",
        _("Referral to a social or vocational activation programme (CIS, KIS, PAI)"),
    )
    PERIODIC_REVIEW = (
        "periodic_review",
        _("Periodic review of shared clients before a joint meeting (cooperation agreement)"),
    )


class LookupStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("SEPI lookup", "queued")
    RUNNING = "running", pgettext_lazy("SEPI lookup", "asking SEPI")
    DONE = "done", pgettext_lazy("SEPI lookup", "done")
    FAILED = "failed", pgettext_lazy("SEPI lookup", "failed")


class FailureReason(models.TextChoices):
    """What the worker is told when a lookup fails (codes match sepi.types errors)."""

    UNAVAILABLE = "unavailable", _("SEPI answered with a server error. Try again later.")
    TIMEOUT = "timeout", _("SEPI did not answer in time. Try again.")
    CONNECTION = "connection", _("Could not connect to SEPI. Try again later.")
    MALFORMED = (
        "malformed",
        _("SEPI sent a damaged answer. Try again; if it happens again, tell the administrator."),
    )
    SCHEMA = (
        "schema",
        _(
            "SEPI's answer was not in the expected format, so it was not shown. Tell the administrator."
        ),
    )
    REJECTED = "rejected", _("SEPI refused the query. Check the client's PESEL number.")
    CIRCUIT_OPEN = (
        "circuit_open",
        _(
            "SEPI has been failing, so queries are paused for a short while. "
            "Try again in a few minutes."
        ),
    )
    NOT_CONFIGURED = (
        "not_configured",
        _("The connection to SEPI is not configured. Tell the administrator."),
    )
    QUEUE = "queue", _("The query could not be queued. Try again.")
    STALE = "stale", _("The query got no answer for too long and was stopped. Try again.")
    NO_ACCESS = (
        "no_access",
        _("Your institution no longer has access to this client's SEPI data."),
    )
    INTERNAL = (
        "internal",
        _(
            "An unexpected error stopped the query. Try again; if it happens again, tell the administrator."
        ),
    )


class BatchStatus(models.TextChoices):
    RUNNING = "running", pgettext_lazy("SEPI batch", "running")
    DONE = "done", pgettext_lazy("SEPI batch", "finished")


class BatchCheck(models.Model):
    """A coordinator's refresh of the SEPI status of all shared clients at once."""

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("institution")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    purpose = models.CharField(_("purpose and legal basis"), max_length=32, choices=Purpose.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=BatchStatus.choices, default=BatchStatus.RUNNING
    )
    total = models.PositiveIntegerField(_("clients"), default=0)
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("SEPI batch check")
        verbose_name_plural = _("SEPI batch checks")
        ordering = ["-created_at"]
        constraints = [
            # One batch at a time per institution: a second click cannot double the load.
            models.UniqueConstraint(
                fields=["institution"],
                condition=Q(status="running"),
                name="sepi_one_running_batch_per_institution",
            ),
        ]

    def __str__(self) -> str:
        return f"SEPI batch #{self.pk}"


class Lookup(models.Model):
    """One SEPI status lookup about one client, on behalf of one institution."""

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="sepi_lookups", verbose_name=_("client")
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("institution")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("who")
    )
    # The PESEL actually sent: the evidence of the query, even if the record changes later.
    pesel = models.CharField(_("PESEL"), max_length=11)
    purpose = models.CharField(_("purpose and legal basis"), max_length=32, choices=Purpose.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=LookupStatus.choices, default=LookupStatus.QUEUED
    )
    failure_reason = models.CharField(
        _("reason of failure"), max_length=16, choices=FailureReason.choices, blank=True
    )
    request_key = models.CharField(_("request key"), max_length=64, unique=True)
    requested_at = models.DateTimeField(_("requested"), db_index=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    from_cache = models.BooleanField(_("from cache"), default=False)
    fetched_at = models.DateTimeField(_("SEPI answered"), null=True, blank=True)
    result = models.JSONField(_("answer"), null=True, blank=True)
    changes = models.JSONField(_("changes since the previous lookup"), default=list, blank=True)
    batch = models.ForeignKey(
        BatchCheck,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lookups",
        verbose_name=_("batch check"),
    )

    class Meta:
        verbose_name = _("SEPI lookup")
        verbose_name_plural = _("SEPI lookups")
        ordering = ["-requested_at", "-pk"]
        indexes = [
            models.Index(fields=["institution", "-requested_at"]),
            models.Index(fields=["client", "institution", "-requested_at"]),
            models.Index(fields=["requested_by", "requested_at"]),
            models.Index(fields=["status", "requested_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="failed") | Q(failure_reason=""),
                name="sepi_failure_reason_only_when_failed",
            ),
            # A finished lookup keeps its answer, unless erased with the client's data.
            models.CheckConstraint(
                condition=~Q(status="done") | Q(result__isnull=False) | Q(pesel=""),
                name="sepi_done_has_result",
            ),
        ]

    def __str__(self) -> str:
        return f"SEPI #{self.pk}"

    @property
    def is_pending(self) -> bool:
        return self.status in (LookupStatus.QUEUED, LookupStatus.RUNNING)
