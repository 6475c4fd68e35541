"""The shared client record (R3). This issue lays the core that the
permission layer needs; consent, sharing rules and notes come with R3."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from cooperation.models import Institution
from cooperation.validators import pesel_mask, validate_pesel


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
        help_text=_("For example: a foreigner — document type and number."),
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    street = models.CharField(_("street and number"), max_length=160, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=6, blank=True)
    city = models.CharField(_("city"), max_length=80, blank=True)
    municipality = models.CharField(_("municipality (gmina)"), max_length=80, blank=True)
    education = models.CharField(_("education"), max_length=16, choices=Education.choices, blank=True)
    occupation = models.CharField(_("learned occupation"), max_length=200, blank=True)
    skills = models.TextField(
        _("skills and qualifications"), blank=True, help_text=_("Courses, licences, experience — used to match job offers.")
    )
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
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

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
