"""Messages about a shared client, information requests between the institutions
that share one, and announcements a coordinator sends across the network.

Messages and requests are children of the client: they follow its visibility
(`messaging/permissions.py`), so a partner whose share ended loses them with the
client while they stay with the owner. Announcements are shared with the chosen
partner institutions by an object permission, and shown to them only while an
agreement with the sender is in force and the announcement's dates hold.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from clients.models import Client
from cooperation.models import Institution
from cooperation.uploads import random_upload_name

ERASED = "[usunięto — anonimizacja]"


class Message(models.Model):
    """One message in the thread about a client, between the institutions sharing it."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="messages")
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("institution")
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("message"), max_length=4000)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        verbose_name = _("message about a client")
        verbose_name_plural = _("messages about a client")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["client", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.client_id}: {self.created_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("clients:detail", args=[self.client_id]) + f"?tab=messages#m{self.pk}"


class RequestStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("information request", "open")
    ANSWERED = "answered", pgettext_lazy("information request", "answered")
    WITHDRAWN = "withdrawn", pgettext_lazy("information request", "withdrawn")


class InformationRequest(models.Model):
    """A structured question about a shared client to one partner that shares it:
    what is asked, why, by when; the asked institution answers in the app."""

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="information_requests"
    )
    asker = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("asked by")
    )
    asked = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("asked institution")
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    question = models.TextField(_("what you ask about"), max_length=2000)
    purpose = models.TextField(_("why you need it"), max_length=1000)
    due_on = models.DateField(_("answer by"))
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    answer = models.TextField(_("answer"), max_length=4000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    overdue_told_on = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("information request")
        verbose_name_plural = _("information requests")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["client", "-created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(asker=F("asked")), name="information_request_to_another"
            )
        ]

    def __str__(self) -> str:
        return f"{self.client_id}: {self.asker_id}→{self.asked_id} {self.due_on}"

    def get_absolute_url(self) -> str:
        return reverse("messaging:request", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return self.status == RequestStatus.OPEN and self.due_on < timezone.localdate()


def attachment_path(instance: Announcement, filename: str) -> str:
    return random_upload_name("announcements", filename)


class Announcement(models.Model):
    """A coordinator's notice to partner institutions under an agreement in force:
    an activation programme, a job fair, a training, a change in the law."""

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("institution")
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=160)
    text = models.TextField(_("text"), max_length=5000)
    shown_from = models.DateField(_("shown from"))
    shown_until = models.DateField(_("shown until"))
    link = models.URLField(_("link"), max_length=500, blank=True)
    attachment = models.FileField(_("attachment"), upload_to=attachment_path, blank=True)
    attachment_name = models.CharField(_("original file name"), max_length=255, blank=True)
    for_clients = models.BooleanField(
        _("for clients"),
        default=False,
        help_text=_("It can be printed in large type for the noticeboard."),
    )
    recipients = models.ManyToManyField(
        Institution, related_name="+", verbose_name=_("sent to"), blank=True
    )
    told_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("posted"), auto_now_add=True)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-shown_from", "-pk"]
        indexes = [models.Index(fields=["shown_from", "shown_until"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(shown_until__gte=F("shown_from")), name="announcement_dates_in_order"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("messaging:announcement", args=[self.pk])

    @property
    def is_current(self) -> bool:
        return self.shown_from <= timezone.localdate() <= self.shown_until


class AnnouncementUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Announcement, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("announcement permission of a user")


class AnnouncementGroupObjectPermission(GroupObjectPermissionBase):
    """A chosen partner institution may see the announcement (with the agreement in force)."""

    content_object = models.ForeignKey(Announcement, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("announcement permission of an institution")
