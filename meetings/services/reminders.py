"""The day-before reminders (Celery beat)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cooperation import events
from cooperation.dailyruns import catch_up_from, job_done

from ..models import ActionItem, ActionStatus, EventStatus, Occurrence, Response
from .common import _on_commit_notify

# --- reminders -----------------------------------------------------------------------


REMINDERS_JOB = "meetings.reminders"
ACTION_ITEMS_JOB = "meetings.action_items_due"


def reminders_send(*, now: dt.datetime | None = None) -> int:
    """Daily: remind everyone who has not declined about tomorrow's dates. When beat
    missed a day (up to `CATCH_UP_DAYS`), the dates it would have reminded of that
    have not started yet are reminded now: today's, said to be today. Idempotent: a
    date is reminded once (its stamp is claimed under a row lock). Returns how many
    dates were reminded."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    tomorrow = today + dt.timedelta(days=1)
    first = catch_up_from(REMINDERS_JOB, today)
    tz = timezone.get_current_timezone()
    # The day after `first` (tomorrow when it ran yesterday), but not what has begun.
    start = max(now, dt.datetime.combine(first + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
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
    job_done(REMINDERS_JOB, today)
    return count


@transaction.atomic
def action_items_due_send(*, today: dt.date | None = None) -> int:
    """Daily: tell each owner of an action item not yet done that it is due — today's,
    and when beat missed days (up to `CATCH_UP_DAYS`), those due on each of them,
    said to have been due on their date. Each item is told once: the event's id is
    derived from the item and its due date. Returns how many items."""
    today = today or timezone.localdate()
    first = catch_up_from(ACTION_ITEMS_JOB, today)
    due = ActionItem.objects.filter(
        due_date__gte=first,
        due_date__lte=today,
        status__in=[ActionStatus.OPEN, ActionStatus.IN_PROGRESS],
    ).only("pk", "due_date")
    for item in due:
        day = item.due_date.isoformat()
        events.emit("meetings.action_item_due", target=item, key=day, due_on=day)
    job_done(ACTION_ITEMS_JOB, today)
    return len(due)
