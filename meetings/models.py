"""R4: joint meetings, trainings and case conferences.

An `Event` is what an organiser schedules: one meeting, or a series whose
dates follow an iCalendar RRULE. Every date of it is an `Occurrence` row
(materialised up to a horizon by `services.occurrences_sync`), so a single
date can be moved or cancelled, and attendance and minutes belong to the
date they record. The RRULE stays the source of truth for the series: the
.ics export sends it with EXDATE for cancelled dates and RECURRENCE-ID
overrides for moved ones.

Who may see an event: its organiser and the institutions it invites, each
one `EventInstitution` row (the organiser's row too), so the visibility
check is one join on a unique pair and never yields duplicates.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clients.models import Client
from cooperation.models import Institution
from cooperation.uploads import random_upload_name

DEFAULT_TIMEZONE = "Europe/Warsaw"


class EventKind(models.TextChoices):
    MEETING = "meeting", _("cooperation meeting")
    TRAINING = "training", _("training")
    CASE_CONFERENCE = "case_conference", _("case conference")
    JOB_FAIR = "job_fair", _("job fair")
    INFO_SESSION = "info_session", _("information session")


class EventStatus(models.TextChoices):
    SCHEDULED = "scheduled", pgettext_lazy("event status", "scheduled")
    CANCELLED = "cancelled", pgettext_lazy("event status", "cancelled")


class Room(models.Model):
    """A room an institution books for its events; overlapping bookings warn."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="rooms", verbose_name=_("institution")
    )
    name = models.CharField(_("name"), max_length=120)
    address = models.CharField(_("address"), max_length=200, blank=True)
    seats = models.PositiveIntegerField(_("seats"), null=True, blank=True)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "name"], name="room_name_per_institution"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Event(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    title = models.CharField(_("title"), max_length=200)
    organiser = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="organised_events",
        verbose_name=_("organiser"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The first date of the series (or the only one), aware; the series'
    # later dates keep its wall-clock time in `timezone` across DST.
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    timezone = models.CharField(_("time zone"), max_length=40, default=DEFAULT_TIMEZONE)
    rrule = models.CharField(
        _("repeat rule (RRULE)"),
        max_length=300,
        blank=True,
        help_text=_("iCalendar RRULE (RFC 5545), e.g. FREQ=MONTHLY;BYDAY=1TU."),
    )
    room = models.ForeignKey(
        Room,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("room"),
    )
    location = models.CharField(_("place"), max_length=250, blank=True)
    online_url = models.URLField(_("online meeting link"), max_length=500, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True)
    client = models.ForeignKey(
        Client,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("client"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=EventStatus.choices, default=EventStatus.SCHEDULED
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    # iCalendar SEQUENCE: raised on every change a calendar client must pick up.
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="event_capacity_positive",
            ),
            models.CheckConstraint(
                condition=Q(client__isnull=True) | Q(kind="case_conference"),
                name="event_client_only_for_case_conference",
            ),
        ]
        indexes = [models.Index(fields=["organiser", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetings:event", args=[self.pk])

    @property
    def duration(self):
        return self.ends_at - self.starts_at

    @property
    def is_series(self) -> bool:
        return bool(self.rrule)

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED

    @property
    def is_case_conference(self) -> bool:
        return self.kind == EventKind.CASE_CONFERENCE

    @property
    def outside_title(self) -> str:
        """The title for e-mails and calendar files, which leave the app: a case
        conference's own title may name the client, so it is not sent out."""
        if self.is_case_conference:
            return f"{EventKind(self.kind).label} ({self.organiser.name})"
        return self.title


class EventInstitution(models.Model):
    """An institution taking part: the organiser, or one it invited."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="institution_links")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    is_organiser = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("participating institution")
        verbose_name_plural = _("participating institutions")
        constraints = [
            models.UniqueConstraint(fields=["event", "institution"], name="event_institution_once"),
        ]
        indexes = [models.Index(fields=["institution", "event"])]

    def __str__(self) -> str:
        return f"{self.event_id}: {self.institution_id}"


class Occurrence(models.Model):
    """One date of an event. `original_start` is the date the rule gave it
    (the iCalendar RECURRENCE-ID); `starts_at` is where it is now."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="occurrences")
    original_start = models.DateTimeField()
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    is_moved = models.BooleanField(_("moved"), default=False)
    cancelled = models.BooleanField(_("cancelled"), default=False)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("date of an event")
        verbose_name_plural = _("dates of events")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "original_start"], name="occurrence_once_per_rule_date"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="occurrence_ends_after_start"
            ),
        ]
        indexes = [
            models.Index(fields=["starts_at"]),
            models.Index(fields=["event", "starts_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.event.title} {self.starts_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("meetings:occurrence", args=[self.pk])


class Response(models.TextChoices):
    PENDING = "pending", _("no answer yet")
    ACCEPTED = "accepted", _("accepted")
    MAYBE = "maybe", _("maybe")
    DECLINED = "declined", _("declined")
    WAITLISTED = "waitlisted", _("on the waiting list")


class Invitee(models.Model):
    """A person invited to an event (or who signed up), and their answer."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="invitees")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_invitations"
    )
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    response = models.CharField(
        _("answer"), max_length=12, choices=Response.choices, default=Response.PENDING
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    invited_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("invited person")
        verbose_name_plural = _("invited people")
        ordering = ["institution_id", "user__last_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="invitee_once_per_event")
        ]
        indexes = [
            models.Index(fields=["user", "response"]),
            models.Index(fields=["event", "response", "waitlisted_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.event_id}"


class Attendance(models.Model):
    """Whether an invited person came to one date, taken at or after it."""

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField(_("present"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["occurrence", "user"], name="attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.occurrence_id}: {self.present}"


class Minutes(models.Model):
    """The minutes of one date: notes, decisions and action items."""

    occurrence = models.OneToOneField(Occurrence, on_delete=models.CASCADE, related_name="minutes")
    notes = models.TextField(_("notes"), blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self) -> str:
        return f"Protokół #{self.pk}"


class Decision(models.Model):
    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("decision"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class ActionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("action item status", "to do")
    IN_PROGRESS = "in_progress", pgettext_lazy("action item status", "in progress")
    DONE = "done", pgettext_lazy("action item status", "done")


OPEN_ACTION_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class ActionItem(models.Model):
    """A follow-up agreed at a meeting: who (person and institution), what, by when."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="action_items")
    description = models.TextField(_("what is to be done"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="meeting_action_items",
        verbose_name=_("owner"),
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("institution")
    )
    due_date = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    done_at = models.DateTimeField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["position", "pk"]
        indexes = [
            models.Index(fields=["owner", "status", "due_date"]),
            models.Index(fields=["institution", "status"]),
        ]

    def __str__(self) -> str:
        return self.description[:60]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_date < dj_timezone.localdate()


def material_path(instance: Material, filename: str) -> str:
    return random_upload_name("meetings", filename)


class Material(models.Model):
    """A file for the participants: presentation, handout, list of attendees to sign."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=material_path, max_length=300)
    filename = models.CharField(_("original file name"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.title


class FeedToken(models.Model):
    """The secret in a person's calendar-subscription URL. Only its SHA-256 is
    stored, so a copy of the database does not open anyone's calendar."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meetings_feed_token"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    # The institution the person worked for when the address was made: a move to
    # another institution ends the address (the calendar program must be given a new one).
    institution = models.ForeignKey(
        "cooperation.Institution", on_delete=models.CASCADE, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed address")
        verbose_name_plural = _("calendar feed addresses")

    def __str__(self) -> str:
        return f"feed of {self.user_id}"
