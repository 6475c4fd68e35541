"""The notification centre: one notice per person and event, each person's choice
per kind (notice only, e-mail at once, daily digest), and the hour at which an
institution's digests go out."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cooperation.models import Institution


class Mode(models.TextChoices):
    NOTICE = "notice", _("Notice only")
    IMMEDIATE = "immediate", _("Notice and e-mail at once")
    DIGEST = "digest", _("Notice and daily e-mail digest")


class Notice(models.Model):
    """Something that happened, told to one person. Written once per event id."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notices",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=64)
    event_id = models.CharField(_("event"), max_length=32)
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    target_id = models.PositiveBigIntegerField()
    institution = models.ForeignKey(
        Institution,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("institution that acted"),
    )
    # The line as it read when the event happened; shown only while the person
    # may still see the target.
    text = models.CharField(_("text"), max_length=300)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # The person chose the daily digest for this kind: sent once, then stamped.
    in_digest = models.BooleanField(default=False)
    digest_sent_at = models.DateTimeField(null=True, blank=True)
    # The person chose e-mail at once: stamped when it went out (a retry sends once).
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "event_id"], name="notice_once_per_event"),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notice_unread_idx"),
            models.Index(fields=["recipient", "-created_at", "-id"], name="notice_list_idx"),
            models.Index(
                fields=["recipient"],
                condition=Q(in_digest=True, digest_sent_at__isnull=True),
                name="notice_digest_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class MailboxEmail(models.Model):
    """One e-mail of an event to a shared mailbox that is no one's account (a service's
    intake address; `Kind.mailboxes`). Written once per event and address, stamped
    when sent: a fan-out or a send run twice (a redelivered task) e-mails once."""

    event_id = models.CharField(_("event"), max_length=32)
    address = models.EmailField(_("address"))
    kind = models.CharField(_("kind"), max_length=64)
    # The page the e-mail links to (a path; it asks for a login and checks access).
    path = models.CharField(max_length=500)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail to a mailbox")
        verbose_name_plural = _("e-mails to mailboxes")
        constraints = [
            models.UniqueConstraint(fields=["event_id", "address"], name="mailbox_once_per_event"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.address}"


class Preference(models.Model):
    """How one person wants to hear of one kind of notice."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preferences"
    )
    kind = models.CharField(_("kind"), max_length=64)
    mode = models.CharField(_("how"), max_length=16, choices=Mode.choices)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="preference_once_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.mode}"


DEFAULT_DIGEST_HOUR = 7


class DigestSchedule(models.Model):
    """The hour (Europe/Warsaw) at which an institution's people get their digest."""

    institution = models.OneToOneField(
        Institution, on_delete=models.CASCADE, related_name="digest_schedule"
    )
    hour = models.PositiveSmallIntegerField(
        _("digest hour"), default=DEFAULT_DIGEST_HOUR, validators=[MaxValueValidator(23)]
    )

    class Meta:
        verbose_name = _("digest hour")
        verbose_name_plural = _("digest hours")

    def __str__(self) -> str:
        return f"{self.institution_id}: {self.hour}:00"
