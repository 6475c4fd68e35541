"""Celery tasks for client records: thin wrappers that take ids."""

from __future__ import annotations

from celery import shared_task


@shared_task
def consents_daily() -> dict[str, int]:
    """Beat: lapse consents past their date (ending shares) and queue reminders."""
    from .services import consents_run_daily

    return consents_run_daily()


@shared_task(
    autoretry_for=(ConnectionError, TimeoutError, OSError),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def consent_reminder(consent_id: int) -> int:
    """E-mail the owner's worker and coordinators that a consent lapses in 30 days."""
    from .notifications import consent_reminder_send

    return consent_reminder_send(consent_id=consent_id)


@shared_task
def retention_weekly() -> dict[str, int]:
    """Beat: the retention pass — a report to each institution, and the erasure
    itself only when RETENTION_APPLY is on."""
    from .retention import retention_run

    return retention_run()


@shared_task(
    autoretry_for=(ConnectionError, TimeoutError, OSError),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def retention_report(institution_id: int, counts: dict[str, int], applied: bool) -> int:
    """E-mail an institution's coordinators and administrators its own retention counts."""
    from .notifications import retention_report_send

    return retention_report_send(institution_id=institution_id, counts=counts, applied=applied)


@shared_task
def access_check_nightly() -> dict[str, int]:
    """Beat: compare the client access table with the rules; any difference is logged
    and mailed to the administrators as counts (no names, no ids of people)."""
    from .access import access_check_report

    return access_check_report()
