"""Celery tasks for client records: thin wrappers that take ids."""

from __future__ import annotations

from celery import shared_task


@shared_task
def consents_daily() -> dict[str, int]:
    """Beat: lapse consents past their date (ending shares) and queue reminders (also
    those of the days it did not run)."""
    from .services import consents_run_daily

    return consents_run_daily()


@shared_task
def retention_weekly() -> dict[str, int]:
    """Beat: the retention pass — a report to each institution, and the erasure
    itself only when RETENTION_APPLY is on."""
    from .retention import retention_run

    return retention_run()


@shared_task
def access_check_nightly() -> dict[str, int]:
    """Beat: compare the client access table with the rules; any difference is logged
    and mailed to the administrators as counts (no names, no ids of people)."""
    from .access import access_check_report

    return access_check_report()
