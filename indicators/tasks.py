"""Celery tasks for indicators: thin wrappers."""

from __future__ import annotations

from celery import shared_task


@shared_task
def reports_january_reminder() -> int:
    """Beat (Mondays in January): remind the parties of the report for the year just ended."""
    from .services import reports_remind

    return reports_remind()


@shared_task
def figures_precompute() -> int:
    """Beat (nightly): each institution's own, county and agreement figures for this year
    and the last, into the summary table (`IndicatorSnapshot`); stale rows deleted."""
    from .selectors import figures_precompute as precompute

    return precompute()
