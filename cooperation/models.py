"""The tenancy core: users, institutions (the tenants), memberships, audit log."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .roles import (  # noqa: F401 - re-exported: the models' choices
    MANAGING_ROLES,
    PARTNER_ORG_KINDS,
    SOCIAL_ASSISTANCE_KINDS,
    InstitutionKind,
    PesSubkind,
    Role,
)
from .validators import validate_nip, validate_regon


class User(AbstractUser):
    """A person who logs in. Which institution they act for is their Membership."""

    phone = models.CharField(_("phone"), max_length=30, blank=True)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")  # type: ignore[assignment]
        verbose_name_plural = _("users")  # type: ignore[assignment]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class Institution(models.Model):
    """The tenant. Every record in the app belongs to one institution."""

    kind = models.CharField(_("kind"), max_length=8, choices=InstitutionKind.choices)
    pes_subkind = models.CharField(
        _("social economy sub-kind"), max_length=8, choices=PesSubkind.choices, blank=True
    )
    name = models.CharField(_("name"), max_length=250)
    short_name = models.SlugField(_("short name"), max_length=60, unique=True)
    county = models.CharField(_("county (powiat)"), max_length=80, db_index=True)
    municipality = models.CharField(_("municipality (gmina)"), max_length=80)
    street = models.CharField(_("street and number"), max_length=160, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=6, blank=True)
    city = models.CharField(_("city"), max_length=80, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    regon = models.CharField(_("REGON"), max_length=14, blank=True, validators=[validate_regon])
    nip = models.CharField(_("NIP"), max_length=13, blank=True, validators=[validate_nip])
    # The controller of the personal data and its data protection officer, as the
    # information clause and the record of processing name them (GDPR art. 13, 30).
    controller_representative = models.CharField(
        _("controller's representative"),
        max_length=200,
        blank=True,
        help_text=_("Who acts for the controller, e.g. the director of the centre."),
    )
    dpo_name = models.CharField(_("data protection officer"), max_length=200, blank=True)
    dpo_email = models.EmailField(_("data protection officer's e-mail"), blank=True)
    dpo_phone = models.CharField(_("data protection officer's phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    group = models.OneToOneField(
        Group,
        on_delete=models.PROTECT,
        related_name="institution",
        verbose_name=_("permission group"),
        help_text=_("Object permissions shared with this institution are granted to this group."),
    )

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["county", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pes_subkind="") | Q(kind=InstitutionKind.PES),
                name="institution_subkind_only_for_pes",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_social_assistance(self) -> bool:
        return self.kind in SOCIAL_ASSISTANCE_KINDS

    @property
    def is_partner_organisation(self) -> bool:
        return self.kind in PARTNER_ORG_KINDS

    @property
    def address(self) -> str:
        return ", ".join(p for p in (self.street, f"{self.postal_code} {self.city}".strip()) if p)


class Membership(models.Model):
    """A user's place in an institution. A user has at most one active membership."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("institution"),
    )
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(is_active=True), name="membership_one_active_per_user"
            ),
        ]
        indexes = [models.Index(fields=["institution", "is_active"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} ({self.institution.short_name})"

    @property
    def can_manage_people(self) -> bool:
        return self.role in MANAGING_ROLES


class AuditAction(models.TextChoices):
    VIEW = "view", _("viewed")
    LIST = "list", _("listed")
    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    DELETE = "delete", _("deleted")
    EXPORT = "export", _("exported")
    GRANT = "grant", _("access granted")
    REVOKE = "revoke", _("access revoked")
    DENIED = "denied", _("access denied")
    LOGIN = "login", _("logged in")
    LOGOUT = "logout", _("logged out")
    LOGIN_FAILED = "login_failed", _("failed login")
    INVITE = "invite", _("invited")
    LOCKED_OUT = "locked_out", _("login locked after too many attempts")
    MFA_ON = "mfa_on", _("two-factor authentication turned on")
    MFA_OFF = "mfa_off", _("two-factor authentication turned off")


class AuditEvent(models.Model):
    """One read or change of personal data, or a security event.

    Stores which fields changed, never their values: the log is evidence of
    who saw or touched what, and must not become a second copy of the data.
    """

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("institution"),
    )
    action = models.CharField(_("action"), max_length=16, choices=AuditAction.choices)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("record type")
    )
    object_id = models.CharField(_("record id"), max_length=64, blank=True)
    object_label = models.CharField(_("record"), max_length=200, blank=True)
    fields = models.JSONField(_("fields"), default=list, blank=True)
    reason = models.CharField(_("reason"), max_length=250, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["institution", "-at"]),
            models.Index(fields=["content_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return (
            f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.get_action_display()} {self.object_label}"
        )


class FormSubmission(models.Model):
    """A create form's one-off token, claimed by the first POST that carries it
    (see cooperation/formtokens.py). The unique token makes a second POST — a
    double click, a resent page, the same request from two tabs at once — wait
    for the first and then find what it created instead of creating it again."""

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE)
    url = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return self.token


class DailyRun(models.Model):
    """The last day a daily job (beat) finished, so its next run catches up on the
    days it missed — a worker down over a weekend, a deploy (see cooperation/dailyruns.py)."""

    job = models.CharField(max_length=100, unique=True)
    done_through = models.DateField()
    finished_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.job}: {self.done_through}"
