"""Celery tasks for meetings: thin wrappers that take ids."""

from __future__ import annotations

from celery import shared_task


@shared_task
def send_reminders() -> int:
    """Beat, daily: remind the invited of tomorrow's events (and of today's not yet
    begun when it did not run the day before)."""
    from .services import reminders_send

    return reminders_send()


@shared_task
def action_items_due() -> int:
    """Beat, daily: tell the owners of action items due today (and on the days it did
    not run)."""
    from .services import action_items_due_send

    return action_items_due_send()


@shared_task
def extend_series() -> int:
    """Beat, daily: keep every running series materialised up to the horizon."""
    from .services import occurrences_extend_all

    return occurrences_extend_all()
