"""Celery tasks for partners: thin wrappers that take ids."""

from __future__ import annotations

from celery import shared_task


@shared_task(
    autoretry_for=(ConnectionError, TimeoutError, OSError),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def referral_notify(referral_id: int, what: str) -> int:
    """E-mail the side that has to act next about a referral (a link, no personal data)."""
    from .notifications import referral_notify_send

    return referral_notify_send(referral_id=referral_id, what=what)


@shared_task
def referrals_daily() -> dict[str, int]:
    """Beat: flag unanswered referrals, ask for missing outcomes, withdraw lapsed consents."""
    from .services import referrals_run_daily

    return referrals_run_daily()
