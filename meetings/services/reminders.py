"""The day-before reminders (Celery beat)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cooperation import events

from ..models import ActionItem, ActionStatus, EventStatus, Occurrence, Response
from .common import _on_commit_notify

# --- reminders -----------------------------------------------------------------------


def reminders_send(*, now: dt.datetime | None = None) -> int:
    """Daily: remind everyone who has not declined about tomorrow's dates. Idempotent:
    a date is reminded once. Returns how many dates were reminded."""
    now = now or timezone.now()
    tomorrow = timezone.localtime(now).date() + dt.timedelta(days=1)
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(tomorrow, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(tomorrow + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    due = Occurrence.objects.filter(
        starts_at__gte=start,
        starts_at__lt=end,
        cancelled=False,
        event__status=EventStatus.SCHEDULED,
        reminder_sent_at__isnull=True,
    ).select_related("event")
    count = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            occurrence = (
                Occurrence.objects.select_for_update()
                .select_related("event")
                .filter(pk=pk, reminder_sent_at__isnull=True)
                .first()
            )
            if occurrence is None:
                continue
            occurrence.reminder_sent_at = now
            occurrence.save(update_fields=["reminder_sent_at"])
            people = occurrence.event.invitees.filter(
                Q(response__in=[Response.ACCEPTED, Response.MAYBE, Response.PENDING])
            ).values_list("user_id", flat=True)
            _on_commit_notify(occurrence.event, list(people), "reminder", occurrence)
            count += 1
    return count


def action_items_due_send(*, today: dt.date | None = None) -> int:
    """Daily: tell each owner of an action item not yet done that it is due today.
    Runs once a day, so each item is told once. Returns how many items."""
    today = today or timezone.localdate()
    due = ActionItem.objects.filter(
        due_date=today, status__in=[ActionStatus.OPEN, ActionStatus.IN_PROGRESS]
    ).only("pk")
    for item in due:
        events.emit("meetings.action_item_due", target=item)
    return len(due)
