"""R1–R2: cooperation agreements (porozumienia) and coordinators.

An active agreement whose scope covers an activity is what lets data and
work flow between two institutions. The scope in force today is kept on the
agreement itself (so the check is one indexed query); every version of the
terms, original and annexes, is kept in `AgreementTerms` with the date it
took effect, so the page can show what was in force on any date.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cooperation.models import Institution
from cooperation.uploads import random_upload_name


class Scope(models.TextChoices):
    CLIENT_RECORDS = "client_records", _("Sharing client records")
    JOINT_PLANS = "joint_plans", _("Joint reintegration plans")
    SEPI = "sepi", _("SEPI lookups on behalf of a partner")
    JOB_OFFERS = "job_offers", _("Publishing job offers")
    PROMOTION = "promotion", _("Promotion queue")
    REFERRALS = "referrals", _("Referrals to partners")


SCOPE_FIELDS = {s.value: f"scope_{s.value}" for s in Scope}


class Status(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("agreement status", "draft")
    SENT = "sent", pgettext_lazy("agreement status", "sent for signature")
    # Every party clicked "accept": they agree to the text. Nothing flows until
    # the signed document is recorded (gate 3 of issue 15).
    ACCEPTED = (
        "accepted",
        pgettext_lazy("agreement status", "accepted, waiting for the signed copy"),
    )
    SIGNED = "signed", pgettext_lazy("agreement status", "signed, not yet in force")
    ACTIVE = "active", pgettext_lazy("agreement status", "in force")
    EXPIRED = "expired", pgettext_lazy("agreement status", "expired")
    TERMINATED = "terminated", pgettext_lazy("agreement status", "terminated")


class ScopeFields(models.Model):
    """The six scope switches, shared by the agreement and its terms versions."""

    scope_client_records = models.BooleanField(Scope.CLIENT_RECORDS.label, default=False)
    scope_joint_plans = models.BooleanField(Scope.JOINT_PLANS.label, default=False)
    scope_sepi = models.BooleanField(Scope.SEPI.label, default=False)
    scope_job_offers = models.BooleanField(Scope.JOB_OFFERS.label, default=False)
    scope_promotion = models.BooleanField(Scope.PROMOTION.label, default=False)
    scope_referrals = models.BooleanField(Scope.REFERRALS.label, default=False)

    class Meta:
        abstract = True

    @property
    def scopes(self) -> list[str]:
        return [s for s, field in SCOPE_FIELDS.items() if getattr(self, field)]

    @property
    def scope_labels(self) -> list[str]:
        return [str(Scope(s).label) for s in self.scopes]


DEFAULT_NOTICE_DAYS = 30
DEFAULT_MEETING_EVERY_MONTHS = 3


def _referral_answer_days() -> int:
    return settings.REFERRAL_ANSWER_WORKING_DAYS


def _promotion_case_days() -> int:
    return settings.PROMOTION_CASE_DAYS


class ProcedureFields(models.Model):
    """The procedures the parties agree to and the app enforces (issue 20, part 3).

    Kept with the scope, on the agreement and on every version of its terms,
    so the text, the PDF and the app read the same numbers."""

    notice_days = models.PositiveSmallIntegerField(
        _("notice period (days)"),
        default=DEFAULT_NOTICE_DAYS,
        help_text=_("How long before the end date a party must give notice of termination."),
    )
    referral_answer_days = models.PositiveSmallIntegerField(
        _("answer to a referral within (working days)"), default=_referral_answer_days
    )
    promotion_case_days = models.PositiveSmallIntegerField(
        _("a promotion case is taken up within (days)"), default=_promotion_case_days
    )
    meeting_every_months = models.PositiveSmallIntegerField(
        _("coordinators meet at least every (months)"), default=DEFAULT_MEETING_EVERY_MONTHS
    )

    class Meta:
        abstract = True


PROCEDURE_FIELDS = (
    "notice_days",
    "referral_answer_days",
    "promotion_case_days",
    "meeting_every_months",
)


class Agreement(ScopeFields, ProcedureFields):
    number = models.CharField(_("number"), max_length=60, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence number"))
    initiator = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="initiated_agreements",
        verbose_name=_("drafted by"),
    )
    title = models.CharField(_("title"), max_length=250)
    body = models.TextField(_("text of the agreement"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_("Leave empty for an open-ended agreement."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    termination_date = models.DateField(_("terminated as of"), null=True, blank=True)
    termination_reason = models.TextField(_("reason for termination"), blank=True)
    terminated_without_notice = models.BooleanField(
        _("ended without the notice period"),
        default=False,
        help_text=_("Ended sooner than the notice period allows, for the reason recorded."),
    )
    terminated_by = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("terminated by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    institutions = models.ManyToManyField(Institution, through="Party", related_name="agreements")

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-year", "-sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiator", "year", "sequence"], name="agreement_number_per_initiator_year"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="agreement_dates_in_order",
            ),
        ]
        indexes = [models.Index(fields=["status", "valid_until"])]

    def __str__(self) -> str:
        return f"{self.number} — {self.title}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("agreements:detail", args=[self.pk])

    @property
    def end_date(self) -> dt.date | None:
        """The day after which the agreement no longer binds: its end or its termination."""
        dates = [d for d in (self.valid_until, self.termination_date) if d]
        return min(dates) if dates else None

    @property
    def is_editable(self) -> bool:
        return self.status == Status.DRAFT

    @property
    def earliest_termination_date(self) -> dt.date:
        """The first day notice given today may end the agreement on."""
        from django.utils import timezone

        return timezone.localdate() + dt.timedelta(days=self.notice_days)


class Party(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties")
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="agreement_parties"
    )
    signatory_name = models.CharField(_("signed by"), max_length=150, blank=True)
    signatory_function = models.CharField(_("function"), max_length=150, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Who actually signed the document for this party, as recorded with the signed copy.
    signed_name = models.CharField(_("signed by"), max_length=150, blank=True)
    signed_function = models.CharField(_("function"), max_length=150, blank=True)
    signed_authority = models.CharField(_("basis of authority"), max_length=250, blank=True)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "institution"], name="party_once_per_agreement"
            )
        ]
        indexes = [models.Index(fields=["institution", "agreement"])]

    def __str__(self) -> str:
        return f"{self.institution} ({self.agreement.number})"


class Annex(ScopeFields):
    """An amendment of scope or end date, in force from a date once all parties accepted it."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="annexes")
    number = models.PositiveSmallIntegerField(_("annex number"))
    description = models.TextField(_("what changes and why"))
    effective_from = models.DateField(_("in force from"))
    valid_until = models.DateField(_("new end date"), null=True, blank=True)
    applied = models.BooleanField(_("applied"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    approvals = models.ManyToManyField(Institution, through="AnnexApproval", related_name="+")

    class Meta:
        verbose_name = _("annex")
        verbose_name_plural = _("annexes")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "number"], name="annex_number_per_agreement"
            )
        ]

    def __str__(self) -> str:
        return f"Aneks nr {self.number} do {self.agreement.number}"


class AnnexApproval(models.Model):
    annex = models.ForeignKey(Annex, on_delete=models.CASCADE)
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["annex", "institution"], name="annex_approval_once")
        ]

    def __str__(self) -> str:
        return f"{self.annex}: {self.institution}"


class AgreementTerms(ScopeFields, ProcedureFields):
    """One version of the terms, in force from `effective_from` until the next version."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="terms")
    effective_from = models.DateField(_("in force from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    annex = models.OneToOneField(
        Annex, on_delete=models.CASCADE, null=True, blank=True, related_name="terms"
    )

    class Meta:
        verbose_name = _("terms version")
        ordering = ["effective_from", "pk"]

    def __str__(self) -> str:
        return f"{self.agreement.number} od {self.effective_from:%Y-%m-%d}"


class EventKind(models.TextChoices):
    CREATED = "created", _("drafted")
    UPDATED = "updated", _("changed")
    SENT = "sent", _("sent for signature")
    ACCEPTED = "accepted", _("accepted")
    RETURNED = "returned", _("returned with a comment")
    SIGNED = "signed", _("signed by all parties")
    ALL_ACCEPTED = "all_accepted", _("accepted by all parties, waiting for the signed copy")
    SIGNED_COPY = "signed_copy", _("signed copy recorded")
    ACTIVATED = "activated", _("came into force")
    ANNEX_PROPOSED = "annex_proposed", _("annex proposed")
    ANNEX_ACCEPTED = "annex_accepted", _("annex accepted")
    ANNEX_APPLIED = "annex_applied", _("annex came into force")
    TERMINATION_NOTICE = "termination_notice", _("notice of termination")
    TERMINATED = "terminated", _("terminated")
    EXPIRED = "expired", _("expired")
    REMINDER = "reminder", _("end-date reminder sent")
    ATTACHMENT = "attachment", _("attachment added")


class AgreementEvent(models.Model):
    """The agreement's timeline, shown on its page."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("when"), auto_now_add=True)
    kind = models.CharField(_("event"), max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["agreement", "kind"])]

    def __str__(self) -> str:
        return f"{self.agreement.number}: {self.get_kind_display()}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return random_upload_name("agreements", filename)


class AttachmentKind(models.TextChoices):
    SIGNED_SCAN = "signed_scan", _("signed copy")
    ANNEX_SCAN = "annex_scan", _("signed annex")
    OTHER = "other", _("other document")


class Attachment(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=12, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to=attachment_path)
    filename = models.CharField(_("original file name"), max_length=255, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return f"{self.agreement.number}: {self.get_kind_display()}"


class SignedForm(models.TextChoices):
    SCAN = "scan", _("scan of the paper original")
    PADES = "pades", _("PDF with an electronic signature (PAdES)")
    XADES = "xades", _("electronically signed XML file (XAdES)")
    LEGACY = "legacy", _("not recorded (signed before the rule)")


class SignedCopy(models.Model):
    """The signed document that makes an accepted agreement signed (gate 3).

    `signatures` holds what pyHanko read from a PAdES PDF: for each embedded
    signature the signer, the signing time and whether it is intact; the
    typed names of the parties' signatories are on `Party`."""

    agreement = models.OneToOneField(
        Agreement, on_delete=models.CASCADE, related_name="signed_copy"
    )
    attachment = models.OneToOneField(
        Attachment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    form = models.CharField(_("form of the signed copy"), max_length=8, choices=SignedForm.choices)
    signed_on = models.DateField(_("date of signing"))
    signatures = models.JSONField(_("electronic signatures read from the file"), default=list)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("signed copy")
        verbose_name_plural = _("signed copies")

    def __str__(self) -> str:
        return f"{self.agreement.number}: {self.get_form_display()}"

    @property
    def is_legacy(self) -> bool:
        return self.form == SignedForm.LEGACY


class Coordinator(models.Model):
    """R2: the person an institution designates for cooperation, and deputies.

    The contact card is visible to every institution in the network.
    """

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="coordinators"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coordinator_cards"
    )
    is_deputy = models.BooleanField(_("deputy"), default=False)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    office_hours = models.CharField(_("office hours"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("coordinator")
        verbose_name_plural = _("coordinators")
        ordering = ["is_deputy", "user__last_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution"],
                condition=Q(is_deputy=False),
                name="one_main_coordinator_per_institution",
            ),
            models.UniqueConstraint(fields=["institution", "user"], name="coordinator_card_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user.display_name} ({self.institution.name})"
