"""Celery tasks for reintegration plans: thin wrappers that take ids."""

from __future__ import annotations

from celery import shared_task


@shared_task
def plans_daily() -> dict[str, int]:
    """Beat: tell the plans' people of steps overdue and reviews due since the last run."""
    from .services import plans_run_daily

    return plans_run_daily()
