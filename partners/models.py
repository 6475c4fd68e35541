"""R8: NGOs and social-economy entities (PES, incl. CIS and KIS), the services
they offer, and referrals of shared clients to those services.

A referral carries a *snapshot* of only the client data the referring worker
chose to share (minimum necessary). The partner organisation sees that
snapshot, never the client's record: its access is an object permission on
the referral, not on the client.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from clients.models import Client, Consent
from cooperation.models import Institution


class Category(models.TextChoices):
    DEBT_ADVICE = "debt", _("Debt advice")
    ADDICTION = "addiction", _("Addiction support")
    VOCATIONAL_TRAINING = "training", _("Vocational training")
    SOCIAL_EMPLOYMENT = "employment", _("Social employment")
    CHILDCARE = "childcare", _("Childcare")
    HOUSING = "housing", _("Housing")
    PSYCHOLOGICAL = "psychological", _("Psychological support")
    LEGAL = "legal", _("Legal advice")
    SOCIAL_ACTIVATION = "activation", _("Social activation")
    OTHER = "other", _("Other")


class ServiceOffer(models.Model):
    """One service in a partner organisation's catalogue, as the directory shows it."""

    provider = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="service_offers",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name of the service"), max_length=200)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    description = models.TextField(_("what the service offers"), blank=True)
    target_group = models.CharField(
        _("target group"),
        max_length=250,
        help_text=_("Who the service is for, e.g. long-term unemployed adults, families."),
    )
    county_wide = models.BooleanField(
        _("whole county"),
        default=True,
        help_text=_("The service takes residents of every municipality of the county."),
    )
    municipalities = models.CharField(
        _("municipalities served"),
        max_length=500,
        blank=True,
        help_text=_("Only when not the whole county: municipality names, separated by commas."),
    )
    capacity = models.PositiveIntegerField(
        _("capacity (places)"),
        null=True,
        blank=True,
        help_text=_("Leave empty when the number of participants is not limited."),
    )
    free_places = models.PositiveIntegerField(_("free places"), default=0)
    how_to_refer = models.TextField(
        _("how to refer"), help_text=_("What the client should bring, when to come, whom to ask.")
    )
    contact_name = models.CharField(_("contact person"), max_length=150, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    is_active = models.BooleanField(
        _("published"), default=True, help_text=_("Untick to hide the service from the directory.")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("partner service")
        verbose_name_plural = _("partner services")
        ordering = ["provider__name", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(free_places__lte=F("capacity")),
                name="service_free_places_within_capacity",
            ),
            models.UniqueConstraint(fields=["provider", "name"], name="service_name_per_provider"),
        ]
        indexes = [models.Index(fields=["is_active", "category"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_limited(self) -> bool:
        return self.capacity is not None

    @property
    def has_free_places(self) -> bool:
        return not self.is_limited or self.free_places > 0

    @property
    def municipality_list(self) -> list[str]:
        return [m.strip() for m in self.municipalities.split(",") if m.strip()]


class Status(models.TextChoices):
    SENT = "sent", pgettext_lazy("referral status", "sent, waiting for an answer")
    ACCEPTED = "accepted", pgettext_lazy("referral status", "accepted")
    DECLINED = "declined", pgettext_lazy("referral status", "declined")
    IN_PROGRESS = "in_progress", pgettext_lazy("referral status", "in progress")
    COMPLETED = "completed", pgettext_lazy("referral status", "completed")
    CANCELLED = "cancelled", pgettext_lazy("referral status", "cancelled")


OPEN_STATUSES = (Status.SENT, Status.ACCEPTED, Status.IN_PROGRESS)
RUNNING_STATUSES = (Status.ACCEPTED, Status.IN_PROGRESS)


class Outcome(models.TextChoices):
    ACHIEVED = "achieved", _("goal achieved")
    PARTLY = "partly", _("goal partly achieved")
    NOT_ACHIEVED = "not_achieved", _("goal not achieved")
    DROPPED_OUT = "dropped_out", _("the client stopped attending")


# What a referral may carry besides the name, in the order the form offers it.
# The name is always shared: the organisation must know whom to expect.
OPTIONAL_FIELDS = ("phone", "address", "birth_year", "needs")


class Referral(models.Model):
    """A shared client sent to a partner's service: a snapshot of the data the
    referring worker chose to share, the answer, and the outcome."""

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("client")
    )
    referrer = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="referrals_sent",
        verbose_name=_("referring institution"),
    )
    partner = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="referrals_received",
        verbose_name=_("partner organisation"),
    )
    service = models.ForeignKey(
        ServiceOffer, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("service")
    )
    consent = models.ForeignKey(
        Consent,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("consent it rests on"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("referred by"),
    )
    # The snapshot: the only client data the partner ever sees.
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=250, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    needs = models.TextField(_("needs, in short"), max_length=500, blank=True)
    shared_fields = models.JSONField(_("data shared"), default=list)

    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SENT
    )
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    respond_by = models.DateField(_("answer due by"))
    overdue_flagged_at = models.DateTimeField(_("flagged as unanswered"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    answer_note = models.TextField(_("message to the referring worker"), blank=True)
    start_date = models.DateField(_("service starts"), null=True, blank=True)
    end_date = models.DateField(_("service ends"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("outcome, described"), blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    outcome_reminded_on = models.DateField(_("outcome last requested"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    wiped_at = models.DateTimeField(_("personal data erased"), null=True, blank=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(referrer=F("partner")), name="referral_to_another_institution"
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="referral_declined_with_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | ~Q(outcome=""),
                name="referral_completed_with_outcome",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="referral_dates_in_order",
            ),
        ]
        indexes = [
            models.Index(fields=["partner", "status"]),
            models.Index(fields=["referrer", "status"]),
            models.Index(fields=["status", "respond_by"]),
            models.Index(fields=["status", "end_date"]),
            # Home: "referrals to watch" reads the person's open referrals in
            # answer-by order and stops at the box's 8 (issue 18).
            models.Index(
                fields=["created_by", "respond_by", "id"],
                condition=Q(status__in=(Status.SENT, *RUNNING_STATUSES)),
                name="referral_open_by_creator",
            ),
        ]

    def __str__(self) -> str:
        return f"{pgettext_lazy('referral', 'Referral')} {self.number}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("partners:referral", args=[self.pk])

    @property
    def number(self) -> str:
        return f"{self.pk}/{self.sent_at:%Y}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        """Still unanswered after its deadline (two working days)."""
        return self.status == Status.SENT and self.respond_by < timezone.localdate()

    @property
    def outcome_overdue(self) -> bool:
        """The service has ended but nobody recorded how it went."""
        return (
            self.status in RUNNING_STATUSES
            and self.end_date is not None
            and self.end_date < timezone.localdate()
        )


class ReferralUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Referral, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("referral permission of a user")


class ReferralGroupObjectPermission(GroupObjectPermissionBase):
    """The partner organisation's access to a referral sent to it."""

    content_object = models.ForeignKey(Referral, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("referral permission of an institution")


class EventKind(models.TextChoices):
    SENT = "sent", _("referral sent")
    ACCEPTED = "accepted", _("accepted by the organisation")
    DECLINED = "declined", _("declined by the organisation")
    STARTED = "started", _("service started")
    DELIVERED = "delivered", _("service delivered")
    COMPLETED = "completed", _("completed")
    CANCELLED = "cancelled", _("cancelled")
    OVERDUE = "overdue", _("no answer within two working days")
    OUTCOME_REMINDER = "outcome_reminder", _("outcome requested")
    PRINTED = "printed", _("printed for the client")


class ReferralEvent(models.Model):
    """The referral's timeline, shown to both sides."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("when"), default=timezone.now)
    kind = models.CharField(_("event"), max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("referral event")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["referral", "kind"])]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.get_kind_display()}"


class DeliveryKind(models.TextChoices):
    INDIVIDUAL = "individual", _("individual session")
    GROUP = "group", _("group session")
    TRAINING = "training", _("training")
    WORK = "work", _("work or workshop practice")
    ADVICE = "advice", _("advice or consultation")
    OTHER = "other", _("other")


class ServiceDelivery(models.Model):
    """A service the partner delivered to the referred client: date, kind, hours."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="deliveries")
    delivered_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=12, choices=DeliveryKind.choices)
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    note = models.CharField(_("note"), max_length=250, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("service delivered")
        verbose_name_plural = _("services delivered")
        ordering = ["delivered_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=24), name="delivery_hours_in_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.delivered_on:%Y-%m-%d}"
