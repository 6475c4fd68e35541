"""Celery tasks for meetings: thin wrappers that take ids."""

from __future__ import annotations

from celery import shared_task

RETRY = {
    "autoretry_for": (ConnectionError, TimeoutError, OSError),
    "retry_backoff": True,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(**RETRY)  # type: ignore[call-overload]
def notify_people(
    event_id: int, user_ids: list[int], what: str, occurrence_id: int | None = None
) -> int:
    """E-mail invitations, changes, reminders or a freed place, with the .ics attached."""
    from .notifications import event_notify

    return event_notify(
        event_id=event_id, user_ids=user_ids, what=what, occurrence_id=occurrence_id
    )


@shared_task(**RETRY)  # type: ignore[call-overload]
def notify_action_items(item_ids: list[int]) -> int:
    """E-mail the owners of new action items."""
    from .notifications import action_items_notify

    return action_items_notify(item_ids=item_ids)


@shared_task
def send_reminders() -> int:
    """Beat, daily: remind the invited of tomorrow's events."""
    from .services import reminders_send

    return reminders_send()


@shared_task
def extend_series() -> int:
    """Beat, daily: keep every running series materialised up to the horizon."""
    from .services import occurrences_extend_all

    return occurrences_extend_all()
