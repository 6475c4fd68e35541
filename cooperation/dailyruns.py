"""Daily jobs that catch up on the days they did not run.

Beat runs a daily job once a day; if the worker is down that day (a weekend, a
deploy) the job's "became overdue today" would be lost for good. A job asks
`catch_up_from(job, today)` for the first day it has not handled yet — the day after
its last successful run, never more than `CATCH_UP_DAYS` back, and today on its
very first run (before it kept a record it ran daily: going back would tell again
what it already told) — handles every day from there to today, and then records
`job_done(job, today)`. What it raises carries ids derived from the object and its
date (`events.emit(..., key=...)`), so a run repeated or cut short midway tells
nobody twice.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .models import DailyRun

CATCH_UP_DAYS = 7


def last_done(job: str) -> dt.date | None:
    """The last day `job` handled, or None if it never ran."""
    return DailyRun.objects.filter(job=job).values_list("done_through", flat=True).first()


def catch_up_from(job: str, today: dt.date, *, most: int = CATCH_UP_DAYS) -> dt.date:
    """The first day `job` has still to handle (after `today` when today is done)."""
    last = last_done(job)
    if last is None:
        return today
    return max(last + dt.timedelta(days=1), today - dt.timedelta(days=most - 1))


def job_done(job: str, today: dt.date) -> None:
    """Record that `job` handled every day up to `today` (never moves back)."""
    run, created = DailyRun.objects.get_or_create(
        job=job, defaults={"done_through": today, "finished_at": timezone.now()}
    )
    if not created and run.done_through < today:
        DailyRun.objects.filter(pk=run.pk, done_through__lt=today).update(
            done_through=today, finished_at=timezone.now()
        )
