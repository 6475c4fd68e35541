"""Celery tasks for messaging: thin wrappers."""

from __future__ import annotations

from celery import shared_task


@shared_task
def messaging_daily() -> dict[str, int]:
    """Beat: tell both sides of overdue information requests (also those of days it did
    not run); announce what has started."""
    from .services import requests_run_daily

    return requests_run_daily()
