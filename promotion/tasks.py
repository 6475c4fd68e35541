"""Celery tasks for the promotion queue: thin wrappers calling services."""

from __future__ import annotations

from celery import shared_task


@shared_task
def overdue_digest() -> int:
    """Beat, daily: once a week (the first run of the week), tell each labour office the
    count of cases untouched for 14 days."""
    from .services import overdue_digest_send

    return overdue_digest_send()
