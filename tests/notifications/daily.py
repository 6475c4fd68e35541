"""Helpers of the tests of the daily jobs' catch-up: run a job as beat would on a
given day (the clock pinned), and count the notices it wrote."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import time_machine
from django.test import TestCase

from notifications.models import Notice

from ..conftest import shifted_now


def run_at(day: dt.date, task, hour: str = "06:30"):  # type: ignore[no-untyped-def]
    """Run a daily task as beat would on `day`, its events told through the real fan-out."""
    with (
        time_machine.travel(shifted_now(f"{day.isoformat()}T{hour}"), tick=False),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        return task.delay().get()


def notices(kind: str) -> Counter[tuple[int, int]]:
    """How many notices of `kind` each (target, recipient) has."""
    return Counter(Notice.objects.filter(kind=kind).values_list("target_id", "recipient_id"))
