"""Celery tasks for partners: thin wrappers that take ids."""

from __future__ import annotations

from celery import shared_task


@shared_task
def referrals_daily() -> dict[str, int]:
    """Beat: flag unanswered referrals, ask for missing outcomes, withdraw lapsed consents."""
    from .services import referrals_run_daily

    return referrals_run_daily()
