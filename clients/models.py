"""The shared client record (R3). This issue lays the core that the
permission layer needs; consent, sharing rules and notes come with R3."""

from __future__ import annotations

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from cooperation.models import Institution
from cooperation.processing import SpecialCategoryGround
from cooperation.uploads import random_upload_name
from cooperation.validators import pesel_mask, validate_pesel

from . import names


class Sex(models.TextChoices):
    FEMALE = "F", _("female")
    MALE = "M", _("male")


class Education(models.TextChoices):
    NONE = "none", _("no formal education")
    PRIMARY = "primary", _("primary or lower secondary")
    VOCATIONAL = "vocational", _("basic vocational")
    SECONDARY = "secondary", _("secondary")
    POST_SECONDARY = "post_secondary", _("post-secondary")
    HIGHER = "higher", _("higher")


class ClientStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("client status", "active")
    CLOSED = "closed", pgettext_lazy("client status", "closed")


class Client(models.Model):
    """A person helped by an institution, identified by PESEL where they have one."""

    owner = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="clients",
        verbose_name=_("registered by"),
    )
    pesel = models.CharField(_("PESEL"), max_length=11, blank=True, validators=[validate_pesel])
    no_pesel_reason = models.CharField(
        _("reason for no PESEL"),
        max_length=200,
        blank=True,
        help_text=_("For example: a foreigner without a PESEL number."),
    )
    document_type = models.CharField(
        _("identity document"),
        max_length=60,
        blank=True,
        help_text=_("For example: passport, residence card."),
    )
    document_number = models.CharField(_("document number"), max_length=40, blank=True)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    # Lowercase, diacritics folded ("swiatkowska anna"): what name search
    # compares, the same on SQLite and PostgreSQL; kept by `save()`.
    search_name = models.CharField(max_length=201, blank=True, editable=False)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    street = models.CharField(_("street and number"), max_length=160, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=6, blank=True)
    city = models.CharField(_("city"), max_length=80, blank=True)
    municipality = models.CharField(_("municipality (gmina)"), max_length=80, blank=True)
    education = models.CharField(
        _("education"), max_length=16, choices=Education.choices, blank=True
    )
    occupation = models.CharField(_("learned occupation"), max_length=200, blank=True)
    skills = models.TextField(
        _("skills and qualifications"),
        blank=True,
        help_text=_("Courses, licences, experience — used to match job offers."),
    )
    household_notes = models.TextField(
        _("household"), blank=True, help_text=_("Who lives with the client, dependants, carers.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ClientStatus.choices, default=ClientStatus.ACTIVE
    )
    closed_at = models.DateField(_("closed on"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("registered by (person)"),
    )

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["last_name", "first_name", "pk"]
        constraints = [
            # Two unrelated institutions may each hold the same person; one
            # institution may not hold them twice.
            models.UniqueConstraint(
                fields=["owner", "pesel"],
                condition=~Q(pesel=""),
                name="client_unique_pesel_per_owner",
            ),
            models.CheckConstraint(
                condition=~Q(pesel="") | ~Q(no_pesel_reason=""), name="client_pesel_or_reason"
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "last_name", "first_name"]),
            models.Index(fields=["pesel"]),
            # Home: "my recent clients" walks the creator's newest first (issue 18).
            models.Index(fields=["created_by", "-created_at"], name="client_by_creator_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def save(self, *args: object, **kwargs: object) -> None:
        # A derived column, not a business rule: kept here so no write path
        # (services, admin, anonymisation, fixtures) can leave it stale.
        self.search_name = names.search_name(self.first_name, self.last_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"first_name", "last_name"} & set(update_fields):  # type: ignore[call-overload]
            kwargs["update_fields"] = {*update_fields, "search_name"}  # type: ignore[misc]
        with transaction.atomic():
            super().save(*args, **kwargs)  # type: ignore[arg-type]
            # The access table copies the owner and the list's keys: derived rows like
            # search_name, rewritten in the same transaction so no path leaves them stale.
            from .access import SYNC_FIELDS, access_sync

            if update_fields is None or SYNC_FIELDS & set(update_fields):  # type: ignore[call-overload]
                access_sync(self)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("clients:detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def masked_pesel(self) -> str:
        return pesel_mask(self.pesel) if self.pesel else ""

    @property
    def address(self) -> str:
        return ", ".join(p for p in (self.street, f"{self.postal_code} {self.city}".strip()) if p)


# Direct foreign-key object permissions: a grant is a row with an integer FK to
# the client, so "shared with my institution" is an indexed EXISTS.
class ClientUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Client, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("client permission of a user")


class ClientGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Client, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("client permission of an institution")


class LegalBasis(models.TextChoices):
    CONSENT = "consent", _("written consent of the client")
    STATUTORY_TASK = "statutory", _("statutory task of the institution (Art. 6(1)(c)/(e) GDPR)")
    SOCIAL_CONTRACT = "contract", _("social contract or programme terms signed by the client")
    VITAL_INTEREST = (
        "vital",
        _("protection of the vital interests of the client (Art. 6(1)(d) GDPR)"),
    )


class WithdrawalForm(models.TextChoices):
    WRITTEN = "written", _("in writing")
    ORAL = "oral", _("orally")
    ELECTRONIC = "electronic", _("electronically")


# What a client consents to, for one partner: the agreement scopes that carry a
# client's data (job offers carry none).
CONSENT_PURPOSES = ("client_records", "joint_plans", "referrals", "sepi", "promotion")


def consent_scan_path(instance: Consent, filename: str) -> str:
    return random_upload_name("consents", filename)


class Consent(models.Model):
    """The legal basis for sharing a client with one partner: written consent or another basis.

    Valid from `given_on` until `valid_until`; withdrawing it (or its lapse)
    revokes every share that rests on it, at once.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="consents")
    partner = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("shared with")
    )
    basis = models.CharField(
        _("legal basis"), max_length=12, choices=LegalBasis.choices, default=LegalBasis.CONSENT
    )
    scopes = models.JSONField(_("what the client agreed to"), default=list)
    special_category_ground = models.CharField(
        _("ground for health and addiction data (Art. 9(2) GDPR)"),
        max_length=8,
        choices=SpecialCategoryGround.choices,
        blank=True,
    )
    given_on = models.DateField(_("signed on"))
    valid_until = models.DateField(_("valid until"))
    scan = models.FileField(_("signed consent (scan)"), upload_to=consent_scan_path, blank=True)
    scan_filename = models.CharField(_("original file name"), max_length=255, blank=True)
    note = models.CharField(_("note"), max_length=250, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawal recorded by"),
    )
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_form = models.CharField(
        _("how the client withdrew"),
        max_length=12,
        choices=WithdrawalForm.choices,
        blank=True,
    )
    lapsed = models.BooleanField(_("lapsed"), default=False)
    reminder_sent_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("consent or legal basis")
        verbose_name_plural = _("consents and legal bases")
        ordering = ["-given_on", "-pk"]
        indexes = [models.Index(fields=["valid_until", "withdrawn_at", "lapsed"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("given_on")), name="consent_dates_in_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_basis_display()} #{self.pk}"

    @property
    def scope_labels(self) -> list[str]:
        from agreements.models import Scope

        return [str(Scope(s).label) for s in self.scopes if s in Scope.values]

    @property
    def is_active(self) -> bool:
        from django.utils import timezone

        return (
            self.withdrawn_at is None
            and not self.lapsed
            and self.valid_until >= timezone.localdate()
        )


class ClientShare(models.Model):
    """The record of a client shared with a partner: on which consent, by whom, until when.

    The access itself is the guardian grant (`ClientGroupObjectPermission`);
    this row says why it exists and when it ended.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="shares")
    partner = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("partner")
    )
    consent = models.ForeignKey(
        Consent, on_delete=models.PROTECT, related_name="shares", verbose_name=_("legal basis")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("shared"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=250, blank=True)

    class Meta:
        verbose_name = _("share")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "partner"],
                condition=Q(ended_at__isnull=True),
                name="one_open_share_per_partner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} → {self.partner}"


class AccessRequestStatus(models.TextChoices):
    PENDING = "pending", _("waiting")
    GRANTED = "granted", _("granted")
    DECLINED = "declined", _("declined")


class AccessRequest(models.Model):
    """A partner asks the owning institution to share a client it already holds."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="access_requests")
    requester = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("why you need access"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AccessRequestStatus.choices,
        default=AccessRequestStatus.PENDING,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answer = models.CharField(_("answer"), max_length=250, blank=True)

    class Meta:
        verbose_name = _("access request")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "requester"],
                condition=Q(status="pending"),
                name="one_pending_request_per_requester",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requester} → {self.client_id}"


class CaseNote(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="notes")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    happened_on = models.DateField(_("date"))
    text = models.TextField(_("note"))
    internal = models.BooleanField(
        _("internal to my institution"),
        default=False,
        help_text=_("Partners sharing the client will not see it."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("case note")
        ordering = ["-happened_on", "-pk"]
        indexes = [models.Index(fields=["client", "-happened_on"])]

    def __str__(self) -> str:
        return f"{self.client_id}: {self.happened_on}"


class DocumentKind(models.TextChoices):
    CONSENT = "consent", _("consent")
    DECISION = "decision", _("decision")
    INTERVIEW = "interview", _("community interview")
    CERTIFICATE = "certificate", _("certificate")
    OTHER = "other", _("other")


def document_path(instance: ClientDocument, filename: str) -> str:
    return random_upload_name("clients", filename)


class ClientDocument(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="documents")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=document_path)
    filename = models.CharField(_("original file name"), max_length=255, blank=True)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.title


class ClientAccess(models.Model):
    """One row per (institution, client) the institution may see: the owner's row
    and one per institution holding a view grant on the client.

    A derived index, not a second source of truth (after Zulip's `UserMessage`,
    one row per user and message, written with the message): the guardian grants
    (`ClientGroupObjectPermission`) and `Client.owner` stay what decides access;
    `clients.access.access_sync` rewrites a client's rows from them in the same
    transaction as every change to either (`Client.save()`, `object_share` /
    `object_unshare`). It carries the client list's sort and search keys, so the
    list is one index range scan per institution, as the owner's own list is;
    `manage.py access_check` finds (and `--fix` repairs) any drift.
    """

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="accesses")
    is_owner = models.BooleanField(default=False)
    # Copies of the client's columns (kept by access_sync): the list sorts and filters on them.
    last_name = models.CharField(max_length=100)
    first_name = models.CharField(max_length=100)
    status = models.CharField(max_length=10, choices=ClientStatus.choices)
    search_name = models.CharField(max_length=201, blank=True)
    pesel = models.CharField(max_length=11, blank=True)

    class Meta:
        verbose_name = _("client access")
        constraints = [
            models.UniqueConstraint(fields=["institution", "client"], name="client_access_once"),
        ]
        indexes = [
            models.Index(
                fields=["institution", "last_name", "first_name", "client"],
                name="client_access_by_name",
            ),
            models.Index(
                fields=["institution", "status", "last_name", "first_name", "client"],
                name="client_access_by_status",
            ),
            models.Index(
                fields=["institution", "is_owner", "last_name", "first_name", "client"],
                name="client_access_by_holder",
            ),
            # `LIKE '9001%'` uses a btree only with the pattern operator class on
            # PostgreSQL (ignored elsewhere).
            models.Index(
                fields=["institution", "pesel"],
                name="client_access_by_pesel",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution_id} → {self.client_id}"
