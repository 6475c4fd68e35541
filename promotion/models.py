"""R7: programme records on a client and the PUP promotion queue.

A `Programme` is a social contract (or a KIS/CIS/PAI programme) the client
took part in; it inherits the client's visibility. When it is completed, a
worker proposes the client to a PUP: a `PromotionCase` holds a snapshot of
the minimum data the PUP needs (name, PESEL, phone) and the readiness
summary, so PUP advisors work from the case without the whole client record.
The case belongs to the proposing institution and is granted to the target
PUP through a direct-FK group permission (one row per case, no duplicates).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from guardian.models import GroupObjectPermissionBase

from clients.models import Client
from cooperation.models import Institution

OVERDUE_DAYS = settings.PROMOTION_CASE_DAYS


class ProgrammeKind(models.TextChoices):
    SOCIAL_CONTRACT = "social_contract", _("social contract")
    KIS = "kis", _("social integration club (KIS) programme")
    CIS = "cis", _("social integration centre (CIS) programme")
    PAI = "pai", _("Activation and Integration programme (PAI)")
    OTHER = "other", _("other programme")


class ProgrammeOutcome(models.TextChoices):
    ONGOING = "ongoing", pgettext_lazy("programme outcome", "ongoing")
    COMPLETED = "completed", pgettext_lazy("programme outcome", "completed")
    BROKEN_OFF = "broken_off", pgettext_lazy("programme outcome", "broken off")


class Programme(models.Model):
    """A social contract or programme the client took part in."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="programmes")
    kind = models.CharField(_("type"), max_length=16, choices=ProgrammeKind.choices)
    institution_name = models.CharField(_("institution running it"), max_length=250)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"),
        max_length=12,
        choices=ProgrammeOutcome.choices,
        default=ProgrammeOutcome.ONGOING,
    )
    note = models.TextField(_("note"), blank=True)
    recorded_in = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    plan_step = models.ForeignKey(
        "reintegration.Step",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("step of the reintegration plan"),
    )

    class Meta:
        verbose_name = _("social contract or programme")
        verbose_name_plural = _("social contracts and programmes")
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="promotion_programme_dates_in_order",
            ),
            models.CheckConstraint(
                condition=Q(outcome="ongoing") | Q(ended_on__isnull=False),
                name="promotion_programme_ended_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.institution_name})"

    @property
    def is_completed(self) -> bool:
        return self.outcome == ProgrammeOutcome.COMPLETED


class CaseStatus(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("promotion case status", "waiting")
    TAKEN = "taken", pgettext_lazy("promotion case status", "taken")
    CLOSED = "closed", pgettext_lazy("promotion case status", "closed")
    WITHDRAWN = "withdrawn", pgettext_lazy("promotion case status", "withdrawn")


OPEN_STATUSES: tuple[str, ...] = (CaseStatus.PROPOSED, CaseStatus.TAKEN)


class CaseOutcome(models.TextChoices):
    INTERNSHIP = "internship", _("internship started")
    JOB = "job", _("job started")
    TRAINING = "training", _("training")
    REFUSED = "refused", _("refused")
    NOT_REACHABLE = "not_reachable", _("not reachable")


class ActionKind(models.TextChoices):
    OFFER = "offer", _("job offer proposed")
    INTERNSHIP_REFERRAL = "internship_referral", _("internship referral")
    TRAINING = "training", _("training")
    EMPLOYER_CONTACT = "employer_contact", _("employer contact")


# Priority groups of the queue, with their weight: the queue is ordered by the
# sum of weights, then by waiting time.
PRIORITY_WEIGHTS: dict[str, int] = {
    "long_term_unemployed": 3,
    "disability": 2,
    "single_parent": 2,
    "over_50": 1,
    "under_30": 1,
}


class PromotionCase(models.Model):
    """A client proposed to a PUP for promotion (internship, job, training)."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="promotion_cases")
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="cases", verbose_name=_("programme")
    )
    proposer = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    target = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("labour office"),
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed"), default=timezone.now)
    # Snapshot of the minimum data the PUP needs to register the person.
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    pesel = models.CharField(_("PESEL"), max_length=11, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    # The readiness summary.
    skills = models.TextField(_("skills"), max_length=1000)
    availability = models.TextField(_("availability"), max_length=500)
    constraints = models.TextField(_("constraints"), max_length=500, blank=True)
    preferred_work = models.TextField(_("preferred work"), max_length=500)
    long_term_unemployed = models.BooleanField(_("long-term unemployed"), default=False)
    disability = models.BooleanField(_("disability"), default=False)
    single_parent = models.BooleanField(_("single parent"), default=False)
    over_50 = models.BooleanField(_("over 50"), default=False)
    under_30 = models.BooleanField(_("under 30"), default=False)
    priority = models.PositiveSmallIntegerField(_("priority"), default=0)

    status = models.CharField(
        _("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.PROPOSED
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="promotion_cases",
        verbose_name=_("advisor"),
    )
    taken_at = models.DateTimeField(_("taken"), null=True, blank=True)
    first_action_at = models.DateTimeField(_("first action"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=CaseOutcome.choices, blank=True)
    closing_note = models.TextField(_("closing note"), blank=True)

    class Meta:
        verbose_name = _("promotion case")
        verbose_name_plural = _("promotion cases")
        ordering = ["-priority", "proposed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "target"],
                condition=Q(status__in=["proposed", "taken"]),
                name="promotion_one_open_case_per_client_and_office",
            ),
            models.CheckConstraint(
                condition=Q(status="proposed", assigned_to__isnull=True) | ~Q(status="proposed"),
                name="promotion_waiting_case_unassigned",
            ),
            models.CheckConstraint(
                condition=Q(status="closed", closed_at__isnull=False, outcome__gt="")
                | ~Q(status="closed"),
                name="promotion_closed_case_has_outcome",
            ),
        ]
        indexes = [
            models.Index(fields=["target", "status", "-priority", "proposed_at"]),
            models.Index(fields=["status", "last_activity_at"]),
            models.Index(fields=["proposer", "status"]),
        ]

    def __str__(self) -> str:
        return f"{_('Promotion case')} #{self.pk}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("promotion:detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and (timezone.now() - self.last_activity_at).days >= OVERDUE_DAYS

    @property
    def priority_labels(self) -> list[str]:
        return [
            str(self._meta.get_field(name).verbose_name)  # type: ignore[union-attr]
            for name in PRIORITY_WEIGHTS
            if getattr(self, name)
        ]


class PromotionCaseGroupObjectPermission(GroupObjectPermissionBase):
    """The target PUP's access to a case: an indexed integer FK, one row per grant."""

    content_object = models.ForeignKey(PromotionCase, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("promotion case permission of an institution")


class CaseAction(models.Model):
    """Something the PUP advisor did for the case."""

    case = models.ForeignKey(PromotionCase, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(_("action"), max_length=20, choices=ActionKind.choices)
    happened_on = models.DateField(_("date"))
    # The joboffers app owns offers; reference one by id only, and survive its deletion.
    offer = models.ForeignKey(
        "joboffers.JobOffer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("job offer"),
    )
    note = models.TextField(_("note"), max_length=1000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("action on a promotion case")
        verbose_name_plural = _("actions on promotion cases")
        ordering = ["happened_on", "pk"]

    def __str__(self) -> str:
        return self.get_kind_display()
