"""R6: job offers of a labour office (PUP) on the noticeboards of its partners.

A PUP owns its offers. Publishing puts an offer on the board of an OPS/PCPR
whose agreement with the PUP covers job-offer publishing; the publication
row is the board's copy and the object permission that goes with it is what
lets the board's staff see the offer. Offers imported from the national
job-offer database (CBOP) keep their text exactly as received.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from cooperation.models import Institution
from cooperation.validators import validate_nip, validate_regon

# How long a filled offer stays on the boards marked "filled" before it leaves.
FILLED_SHOWN_DAYS = 7

CBOP_SOURCE_NOTE = "Źródło: Centralna Baza Ofert Pracy"


class OfferKind(models.TextChoices):
    JOB = "job", _("job offer")
    INTERNSHIP = "internship", _("internship (staż)")
    SUBSIDISED = "subsidised", _("subsidised job")
    SOCIALLY_USEFUL = "socially_useful", _("socially useful work")
    TRAINING = "training", _("training")


class OfferStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    FILLED = "filled", _("filled")
    EXPIRED = "expired", _("expired")
    WITHDRAWN = "withdrawn", _("withdrawn")


class OfferSource(models.TextChoices):
    MANUAL = "manual", _("entered here")
    CBOP = "cbop", _("imported from CBOP")


# Statuses in which the labour office may still change or publish an offer.
OPEN_STATUSES = (OfferStatus.DRAFT, OfferStatus.PUBLISHED)

occupation_code_validator = RegexValidator(
    r"^\d{6}$", _("The occupation code (KZiS) has exactly six digits.")
)


class JobOffer(models.Model):
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="job_offers",
        verbose_name=_("labour office"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence number"))
    number = models.CharField(_("offer number"), max_length=20)
    kind = models.CharField(_("kind"), max_length=16, choices=OfferKind.choices)
    position = models.CharField(_("position"), max_length=250)
    occupation_code = models.CharField(
        _("occupation code (KZiS)"),
        max_length=6,
        blank=True,
        validators=[occupation_code_validator],
    )
    employer_name = models.CharField(_("employer"), max_length=250, blank=True)
    employer_nip = models.CharField(
        _("employer's NIP"), max_length=13, blank=True, validators=[validate_nip]
    )
    employer_regon = models.CharField(
        _("employer's REGON"), max_length=14, blank=True, validators=[validate_regon]
    )
    employer_hidden = models.BooleanField(
        _("hide the employer on the boards"),
        default=False,
        help_text=_("Candidates then apply through the labour office."),
    )
    workplace_municipality = models.CharField(_("place of work (municipality)"), max_length=120)
    workplace_county = models.CharField(_("county"), max_length=80, blank=True)
    contract_type = models.CharField(_("contract type"), max_length=200, blank=True)
    working_time = models.CharField(_("working time"), max_length=200, blank=True)
    pay_min = models.DecimalField(
        _("pay from (PLN gross)"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    pay_max = models.DecimalField(
        _("pay up to (PLN gross)"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    pay_text = models.CharField(
        _("pay (as text)"),
        max_length=250,
        blank=True,
        help_text=_("Instead of a range, e.g. “minimum wage + bonuses”."),
    )
    duties = models.TextField(_("duties"))
    requirements = models.TextField(_("requirements"), blank=True)
    requirements_welcome = models.TextField(_("welcome, not required"), blank=True)
    how_to_apply = models.TextField(
        _("how to apply"),
        blank=True,
        help_text=_("Leave empty for: call or visit the labour office and give the offer number."),
    )
    places = models.PositiveSmallIntegerField(
        _("number of places"), default=1, validators=[MinValueValidator(1)]
    )
    places_disabled = models.PositiveSmallIntegerField(
        _("of which for people with disabilities"), default=0
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    contact_branch = models.CharField(
        _("labour office branch"),
        max_length=200,
        blank=True,
        help_text=_("For example: room 12, ground floor."),
    )
    contact_phone = models.CharField(_("phone"), max_length=60)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    contact_advisor = models.CharField(_("advisor"), max_length=150, blank=True)
    source = models.CharField(
        _("source"), max_length=8, choices=OfferSource.choices, default=OfferSource.MANUAL
    )
    external_id = models.CharField(_("id in the source"), max_length=64, blank=True)
    # The record as the source sent it: evidence that the text is shown unmodified.
    source_data = models.JSONField(_("record as received"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=OfferStatus.choices, default=OfferStatus.DRAFT
    )
    published_at = models.DateTimeField(_("first published"), null=True, blank=True)
    filled_at = models.DateTimeField(_("filled"), null=True, blank=True)
    closed_at = models.DateTimeField(_("withdrawn or expired"), null=True, blank=True)
    withdrawal_reason = models.CharField(_("reason for withdrawal"), max_length=250, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("job offer")
        verbose_name_plural = _("job offers")
        ordering = ["-year", "-sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "year", "sequence"], name="joboffer_number_per_office_year"
            ),
            models.UniqueConstraint(
                fields=["institution", "source", "external_id"],
                condition=~Q(external_id=""),
                name="joboffer_external_id_once_per_office",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("valid_from")), name="joboffer_dates_in_order"
            ),
            models.CheckConstraint(
                condition=Q(pay_min__isnull=True)
                | Q(pay_max__isnull=True)
                | Q(pay_max__gte=F("pay_min")),
                name="joboffer_pay_range_in_order",
            ),
            models.CheckConstraint(
                condition=Q(places_disabled__lte=F("places")),
                name="joboffer_disabled_places_within_places",
            ),
        ]
        indexes = [
            models.Index(fields=["institution", "status"]),
            models.Index(fields=["status", "valid_until"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.position}"

    def get_absolute_url(self) -> str:
        return reverse("joboffers:detail", args=[self.pk])

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors: dict[str, StrOrPromise] = {}
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errors["valid_until"] = _("The end date is before the start date.")
        if self.pay_min is not None and self.pay_max is not None and self.pay_max < self.pay_min:
            errors["pay_max"] = _("The upper end of the pay range is below the lower end.")
        if self.places_disabled and self.places and self.places_disabled > self.places:
            errors["places_disabled"] = _("More places for people with disabilities than places.")
        if self.source == OfferSource.MANUAL and not self.employer_name.strip():
            errors["employer_name"] = _("Give the employer; you can hide it on the boards.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_imported(self) -> bool:
        return self.source == OfferSource.CBOP

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def for_people_with_disabilities(self) -> bool:
        return self.places_disabled > 0

    @property
    def show_employer(self) -> bool:
        return bool(self.employer_name) and not self.employer_hidden

    # A training or an internship is not employment: its facts are named as such.
    @property
    def pay_label(self) -> StrOrPromise:
        if self.kind == OfferKind.TRAINING:
            return _("Fee and allowance")
        if self.kind == OfferKind.INTERNSHIP:
            return _("Allowance")
        return _("Pay")

    @property
    def contract_label(self) -> StrOrPromise:
        if self.kind in (OfferKind.TRAINING, OfferKind.INTERNSHIP):
            return _("Form and duration")
        return _("Contract")

    @property
    def contract_type_label(self) -> StrOrPromise:
        if self.kind in (OfferKind.TRAINING, OfferKind.INTERNSHIP):
            return _("Form")
        return _("Contract type")

    @property
    def place_label(self) -> StrOrPromise:
        return _("Place of training") if self.kind == OfferKind.TRAINING else _("Place of work")

    @property
    def employer_label(self) -> StrOrPromise:
        return _("Organiser") if self.kind == OfferKind.TRAINING else _("Employer")

    @property
    def duties_label(self) -> StrOrPromise:
        return _("Programme") if self.kind == OfferKind.TRAINING else _("Duties")

    @property
    def working_time_label(self) -> StrOrPromise:
        if self.kind == OfferKind.TRAINING:
            return _("Duration")
        return _("Working time")

    @property
    def pay_display(self) -> str:
        """Pay as printed: the text when given, else the range in złoty."""
        if self.pay_text:
            return self.pay_text
        low, high = self.pay_min, self.pay_max
        if low is not None and high is not None and low != high:
            return f"{_zl(low)}–{_zl(high)} zł brutto"
        if low is not None:
            return f"od {_zl(low)} zł brutto" if high is None else f"{_zl(low)} zł brutto"
        if high is not None:
            return f"do {_zl(high)} zł brutto"
        return ""

    def is_current(self, today: dt.date) -> bool:
        return self.status == OfferStatus.PUBLISHED and self.valid_from <= today <= self.valid_until


def _zl(amount: Decimal) -> str:
    """4666.00 → "4 666", 4666.50 → "4 666,50" (non-breaking thin spaces)."""
    whole = int(amount)
    text = f"{whole:,}".replace(",", "\u00a0")
    cents = int((amount - whole) * 100)
    return f"{text},{cents:02d}" if cents else text


class JobOfferUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(JobOffer, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("job offer permission of a user")


class JobOfferGroupObjectPermission(GroupObjectPermissionBase):
    """A board's institution may see an offer while it is published on its board."""

    content_object = models.ForeignKey(JobOffer, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("job offer permission of an institution")


class Board(models.Model):
    """The noticeboard of one OPS/PCPR, on screen and on the wall."""

    institution = models.OneToOneField(
        Institution, on_delete=models.PROTECT, related_name="board", verbose_name=_("institution")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("noticeboard")
        verbose_name_plural = _("noticeboards")

    def __str__(self) -> str:
        return f"Tablica: {self.institution.name}"

    def get_absolute_url(self) -> str:
        return reverse("joboffers:board", args=[self.pk])


class Publication(models.Model):
    """An offer on a board, from publishing until it leaves (kept as history)."""

    offer = models.ForeignKey(JobOffer, on_delete=models.CASCADE, related_name="publications")
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="publications")
    published_at = models.DateTimeField(_("published"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(_("left the board"), null=True, blank=True)
    end_reason = models.CharField(_("why it left"), max_length=250, blank=True)

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["-published_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["offer", "board"],
                condition=Q(ended_at__isnull=True),
                name="publication_once_per_board",
            )
        ]
        indexes = [models.Index(fields=["board", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.offer.number} @ {self.board.institution.short_name}"


class PrintKind(models.TextChoices):
    SHEETS = "sheets", _("noticeboard sheets")
    DIGEST = "digest", _("weekly digest")


def print_path(instance: BoardPrint, filename: str) -> str:
    return f"joboffers/boards/{instance.board_id}/{filename}"


class BoardPrint(models.Model):
    """A kept PDF of a board for one week (Monday), downloaded through an access check."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="prints")
    kind = models.CharField(_("kind"), max_length=8, choices=PrintKind.choices)
    week_start = models.DateField(_("week of"))
    file = models.FileField(_("file"), upload_to=print_path)
    offer_count = models.PositiveIntegerField(_("offers"), default=0)
    generated_at = models.DateTimeField(_("generated"), auto_now=True)

    class Meta:
        verbose_name = _("kept print")
        verbose_name_plural = _("kept prints")
        ordering = ["-week_start", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["board", "kind", "week_start"], name="board_print_once_per_week"
            )
        ]

    def __str__(self) -> str:
        return f"{self.board} {self.kind} {self.week_start:%Y-%m-%d}"


class ImportStatus(models.TextChoices):
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class ImportRun(models.Model):
    """One run of the CBOP import for a labour office, with what it rejected and why."""

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="offer_imports"
    )
    source = models.CharField(_("read from"), max_length=500)
    status = models.CharField(
        _("status"), max_length=8, choices=ImportStatus.choices, default=ImportStatus.RUNNING
    )
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    received = models.PositiveIntegerField(_("records received"), default=0)
    created = models.PositiveIntegerField(_("new"), default=0)
    updated = models.PositiveIntegerField(_("changed"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    expired = models.PositiveIntegerField(_("no longer in the source"), default=0)
    # [{"index": 3, "id": "...", "reason": "..."}]
    rejected = models.JSONField(_("rejected records"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("offer import")
        verbose_name_plural = _("offer imports")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["institution", "-started_at"])]

    def __str__(self) -> str:
        return f"CBOP {self.institution.short_name} {self.started_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("joboffers:import_detail", args=[self.pk])


class Answer(models.TextChoices):
    INTERESTED = "interested", _("interested")
    NOT_INTERESTED = "not_interested", _("not interested")
    THINKING = "thinking", _("will think about it")


class Outcome(models.TextChoices):
    PENDING = "pending", _("pending")
    APPLIED = "applied", _("applied / referred to the employer")
    HIRED = "hired", _("hired")
    NOT_HIRED = "not_hired", _("not hired")
    DROPPED = "dropped", _("did not apply")


class OfferProposal(models.Model):
    """A worker or advisor proposed an offer to a client; the client's answer and the outcome."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="offer_proposals"
    )
    offer = models.ForeignKey(JobOffer, on_delete=models.PROTECT, related_name="proposals")
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by")
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_on = models.DateField(_("proposed on"))
    answer = models.CharField(_("client's answer"), max_length=16, choices=Answer.choices)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.PENDING
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("offer proposed to a client")
        verbose_name_plural = _("offers proposed to clients")
        ordering = ["-proposed_on", "-pk"]
        indexes = [models.Index(fields=["client", "-proposed_on"])]

    def __str__(self) -> str:
        return f"{self.offer.number} → klient #{self.client_id}"
