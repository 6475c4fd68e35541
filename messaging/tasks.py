"""Celery tasks for messaging: thin wrappers."""

from __future__ import annotations

from celery import shared_task


@shared_task
def messaging_daily() -> dict[str, int]:
    """Beat: tell both sides of overdue information requests; announce what starts today."""
    from .services import requests_run_daily

    return requests_run_daily()
