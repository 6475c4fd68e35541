"""Celery tasks for agreements: thin wrappers that take ids."""

from __future__ import annotations

from celery import shared_task


@shared_task(
    autoretry_for=(ConnectionError, TimeoutError, OSError),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def notify_parties(agreement_id: int, what: str, from_institution_id: int | None) -> int:
    """E-mail the coordinators of the parties (except the one who acted) about a step."""
    from .notifications import agreement_notify

    return agreement_notify(
        agreement_id=agreement_id, what=what, from_institution_id=from_institution_id
    )


@shared_task
def agreements_daily() -> dict[str, int]:
    """Beat: activate, apply annexes, terminate and expire agreements; send end reminders."""
    from .services import agreements_run_daily

    return agreements_run_daily()
