"""R3: the joint reintegration plan of a shared client.

A plan belongs to a client and inherits its visibility (see `selectors.py`
for the whole rule: the client must be visible *and* the client's owner must
be the user's institution or linked to it by an agreement in force covering
joint plans). Institutions that work on the plan are its participants; each
step is owned by one of them and by one named person.

The rule of recommendation 3 — basic needs first, then employment — is built
in (`rules.py`, applied by `services.step_add` and `services.step_update`):

* the basic-needs areas are housing, income, food, health, addiction,
  family/care and debt; the vocational areas are education, qualifications,
  experience and availability;
* a basic need is **critical and unaddressed** when its assessed level is
  `critical` and the plan has no step in that area that is in progress or
  done (a merely planned step does not yet address anything);
* scheduling a vocational step — adding it as planned or in progress, or
  changing the area, status or due date of a step that ends up vocational
  and planned or in progress — while any critical basic need is unaddressed
  needs a written justification, which is kept on the step and shown on the
  plan, in its PDF and in its history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clients.models import Client
from cooperation.models import Institution
from cooperation.processing import SpecialCategoryGround


class Area(models.TextChoices):
    # Basic (living, material) needs — R3 says these come first.
    HOUSING = "housing", _("housing")
    INCOME = "income", _("income")
    FOOD = "food", _("food")
    HEALTH = "health", _("health")
    ADDICTION = "addiction", _("addiction")
    FAMILY_CARE = "family_care", _("family and care")
    DEBT = "debt", _("debt")
    # Vocational.
    EDUCATION = "education", _("education")
    QUALIFICATIONS = "qualifications", _("qualifications")
    EXPERIENCE = "experience", _("work experience")
    AVAILABILITY = "availability", _("availability for work")


BASIC_AREAS: tuple[str, ...] = (
    Area.HOUSING,
    Area.INCOME,
    Area.FOOD,
    Area.HEALTH,
    Area.ADDICTION,
    Area.FAMILY_CARE,
    Area.DEBT,
)
# Special-category data (art. 9 GDPR): assessing these needs requires an art. 9(2) ground.
SPECIAL_AREAS: tuple[str, ...] = (Area.HEALTH, Area.ADDICTION)
VOCATIONAL_AREAS: tuple[str, ...] = (
    Area.EDUCATION,
    Area.QUALIFICATIONS,
    Area.EXPERIENCE,
    Area.AVAILABILITY,
)
# Basic needs sort before vocational ones everywhere a plan is shown.
AREA_ORDER: dict[str, int] = {a: i for i, a in enumerate(BASIC_AREAS + VOCATIONAL_AREAS)}


def is_vocational(area: str) -> bool:
    return area in VOCATIONAL_AREAS


class NeedLevel(models.TextChoices):
    NOT_ASSESSED = "not_assessed", pgettext_lazy("need level", "not assessed")
    NONE = "none", pgettext_lazy("need level", "no need")
    MODERATE = "moderate", pgettext_lazy("need level", "moderate")
    CRITICAL = "critical", pgettext_lazy("need level", "critical")


class PlanStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("plan status", "open")
    CLOSED = "closed", pgettext_lazy("plan status", "closed")


class PlanOutcome(models.TextChoices):
    """How a closed plan ended: what the indicators count as "plans closed by outcome"."""

    GOALS_MET = "goals_met", pgettext_lazy("plan outcome", "goals achieved")
    PARTLY_MET = "partly_met", pgettext_lazy("plan outcome", "goals partly achieved")
    NOT_MET = "not_met", pgettext_lazy("plan outcome", "goals not achieved")
    WITHDREW = (
        "withdrew",
        pgettext_lazy("plan outcome", "the client withdrew or stopped cooperating"),
    )
    MOVED = "moved", pgettext_lazy("plan outcome", "the client moved or was transferred")
    OTHER = "other", pgettext_lazy("plan outcome", "other reason")
    # Plans closed before the outcome was asked for; never chosen in the form.
    NOT_RECORDED = "not_recorded", pgettext_lazy("plan outcome", "not recorded")


# What the close form offers: every outcome but "not recorded".
CLOSING_OUTCOMES = [(v, label) for v, label in PlanOutcome.choices if v != PlanOutcome.NOT_RECORDED]


class StepStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("step status", "planned")
    IN_PROGRESS = "in_progress", pgettext_lazy("step status", "in progress")
    DONE = "done", pgettext_lazy("step status", "done")
    DROPPED = "dropped", pgettext_lazy("step status", "dropped")


OPEN_STEP_STATUSES: tuple[str, ...] = (StepStatus.PLANNED, StepStatus.IN_PROGRESS)
# A basic need counts as addressed once a step in its area has started.
ADDRESSING_STATUSES: tuple[str, ...] = (StepStatus.IN_PROGRESS, StepStatus.DONE)


class ReintegrationPlan(models.Model):
    """The joint plan of one client. One open plan per client; closed plans stay as history."""

    client = models.ForeignKey(
        Client,
        on_delete=models.PROTECT,
        related_name="reintegration_plans",
        verbose_name=_("client"),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=PlanStatus.choices, default=PlanStatus.OPEN
    )
    social_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("social worker"),
    )
    client_advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("client advisor"),
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cooperation coordinator"),
    )
    next_review_date = models.DateField(_("next review"), null=True, blank=True)
    # Health and addiction needs are special-category data (art. 9 GDPR): they
    # are recorded and shared only on a recorded art. 9(2) ground.
    special_category_ground = models.CharField(
        _("ground for health and addiction data (Art. 9(2) GDPR)"),
        max_length=8,
        choices=SpecialCategoryGround.choices,
        blank=True,
    )
    institutions = models.ManyToManyField(
        Institution, through="Participant", related_name="+", verbose_name=_("participants")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closing_outcome = models.CharField(
        _("outcome of the plan"), max_length=16, choices=PlanOutcome.choices, blank=True
    )
    closing_note = models.TextField(_("why the plan was closed"), blank=True)

    class Meta:
        verbose_name = _("reintegration plan")
        verbose_name_plural = _("reintegration plans")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(status="open"),
                name="reintegration_one_open_plan_per_client",
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | Q(status="closed", closed_at__isnull=False),
                name="reintegration_closed_plan_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_review_date"]),
            models.Index(fields=["client", "status"]),
        ]

    def __str__(self) -> str:
        return f"{_('Reintegration plan')} #{self.pk}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("reintegration:detail", args=[self.pk])

    @staticmethod
    def audit_part_label(name: str) -> str | None:
        """The audit log names a changed needs area by its label."""
        return Area(name).label if name in Area.values else None  # type: ignore[return-value]

    @property
    def is_open(self) -> bool:
        return self.status == PlanStatus.OPEN

    @property
    def review_overdue(self) -> bool:
        return (
            self.is_open
            and self.next_review_date is not None
            and self.next_review_date < timezone.localdate()
        )

    @property
    def responsible_people(self) -> list[tuple[str, object]]:
        return [
            (str(self._meta.get_field(name).verbose_name), getattr(self, name))  # type: ignore[union-attr]
            for name in ("social_worker", "client_advisor", "coordinator")
        ]


class Participant(models.Model):
    """An institution that works on the plan. The client's owner is always one."""

    plan = models.ForeignKey(
        ReintegrationPlan, on_delete=models.CASCADE, related_name="participants"
    )
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("participating institution")
        verbose_name_plural = _("participating institutions")
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "institution"], name="reintegration_participant_once"
            )
        ]
        indexes = [models.Index(fields=["institution", "plan"])]

    def __str__(self) -> str:
        return f"{self.institution} — #{self.plan_id}"


class NeedAssessment(models.Model):
    """How pressing one area of need is, with the assessor's note. One row per area."""

    plan = models.ForeignKey(ReintegrationPlan, on_delete=models.CASCADE, related_name="needs")
    area = models.CharField(_("area"), max_length=16, choices=Area.choices)
    level = models.CharField(
        _("level"), max_length=14, choices=NeedLevel.choices, default=NeedLevel.NOT_ASSESSED
    )
    note = models.TextField(_("note"), blank=True)
    assessed_at = models.DateTimeField(_("assessed"), null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("needs assessment")
        verbose_name_plural = _("needs assessments")
        constraints = [
            models.UniqueConstraint(fields=["plan", "area"], name="reintegration_need_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_area_display()}: {self.get_level_display()}"

    @property
    def is_vocational(self) -> bool:
        return is_vocational(self.area)


class Goal(models.Model):
    """What the plan aims at (e.g. "stable housing"); steps lead to it."""

    plan = models.ForeignKey(ReintegrationPlan, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(_("goal"), max_length=250)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class Step(models.Model):
    """One thing to do towards a goal, owned by an institution and a named person."""

    plan = models.ForeignKey(ReintegrationPlan, on_delete=models.CASCADE, related_name="steps")
    goal = models.ForeignKey(
        Goal, on_delete=models.PROTECT, related_name="steps", verbose_name=_("goal")
    )
    area = models.CharField(_("area"), max_length=16, choices=Area.choices)
    title = models.CharField(_("step"), max_length=250)
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("owned by")
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reintegration_steps",
        verbose_name=_("responsible person"),
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=12, choices=StepStatus.choices, default=StepStatus.PLANNED
    )
    outcome = models.TextField(_("outcome"), blank=True)
    justification = models.TextField(
        _("justification"),
        blank=True,
        help_text=_(
            "Why this vocational step cannot wait until the critical basic needs are addressed."
        ),
    )
    # The day the step stopped being open (was done or dropped), local time: set by
    # `services.step_add` / `step_update`, cleared when the step is reopened. The
    # indicators read it to tell whether a step was overdue at the end of a past
    # period. Empty on a done or dropped step only where no date could be found for
    # it (see migration 0006): such a step counts as closed before any period.
    closed_on = models.DateField(_("done or dropped on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["responsible", "status", "due_date"]),
            models.Index(fields=["plan", "status"]),
            # Home: "my overdue steps" reads the person's open steps in due-date order
            # and stops at the box's 8, instead of sorting all of them (issue 18).
            models.Index(
                fields=["responsible", "due_date", "id"],
                condition=Q(status__in=OPEN_STEP_STATUSES),
                name="step_open_by_due",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_vocational(self) -> bool:
        return is_vocational(self.area)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STEP_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_date < timezone.localdate()


class Review(models.Model):
    """A participant's record of progress at a review, and the date of the next one."""

    plan = models.ForeignKey(ReintegrationPlan, on_delete=models.CASCADE, related_name="reviews")
    held_on = models.DateField(_("review date"))
    # The review date in force when this review was held (set at the previous
    # review or when the plan was opened): whether the review came on time.
    due_on = models.DateField(_("review was due"), null=True, blank=True)
    progress = models.TextField(_("progress"))
    next_review_date = models.DateField(_("next review"), null=True, blank=True)
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d}"


class ChangeKind(models.TextChoices):
    CREATED = "created", _("plan created")
    PEOPLE = "people", _("people or review date changed")
    PARTICIPANT = "participant", _("institution joined")
    LEFT = "left", _("institution left")
    NEEDS = "needs", _("needs assessment changed")
    GOAL_ADDED = "goal_added", _("goal added")
    STEP_ADDED = "step_added", _("step added")
    STEP_CHANGED = "step_changed", _("step changed")
    REVIEW = "review", _("review recorded")
    CLOSED = "closed", _("plan closed")


class PlanChange(models.Model):
    """The plan's version history: who changed what, when, from which value to which.

    `changes` is a list of {"field", "old", "new"}: raw values for choice
    fields (shown with their current labels), display names for people and
    institutions (as they were at the time).
    """

    plan = models.ForeignKey(ReintegrationPlan, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    kind = models.CharField(_("change"), max_length=14, choices=ChangeKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    step = models.ForeignKey(
        Step, on_delete=models.CASCADE, null=True, blank=True, related_name="changes"
    )
    subject = models.CharField(_("what"), max_length=250, blank=True)
    changes = models.JSONField(_("changes"), default=list, blank=True)

    class Meta:
        verbose_name = _("plan change")
        verbose_name_plural = _("plan history")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["plan", "-at"])]

    def __str__(self) -> str:
        return f"#{self.plan_id} {self.get_kind_display()}"
