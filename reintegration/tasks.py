"""Celery tasks for reintegration plans: thin wrappers that take ids."""

from __future__ import annotations

from celery import shared_task


@shared_task(
    autoretry_for=(ConnectionError, TimeoutError, OSError),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def plan_partner_left(plan_id: int, user_id: int, steps: int) -> int:
    """E-mail the owner's worker that a partner left a plan (a link, no personal data)."""
    from .notifications import plan_partner_left_send

    return plan_partner_left_send(plan_id=plan_id, user_id=user_id, steps=steps)
