"""Celery tasks for agreements: thin wrappers that take ids."""

from __future__ import annotations

from celery import shared_task


@shared_task
def agreements_daily() -> dict[str, int]:
    """Beat: activate, apply annexes, terminate and expire agreements; tell the parties
    of the end ahead (also of the days it did not run)."""
    from .services import agreements_run_daily

    return agreements_run_daily()
