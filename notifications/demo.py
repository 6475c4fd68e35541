"""Demo notices (run by `manage.py seed_demo` last, after every other app's demo).

The notices come from real events: the promotion demo's services emit theirs
(proposed, taken, each action, closed), and this seed emits the January reminder
of the annual report for every agreement in force, which reaches each party's
coordinator and administrator. Events are delivered when the seed's transaction
commits; then each person's notices are spread over the last days and all but
the newest few are marked read, so the bell, the list and its filter have
something to show. Idempotent: a second seed adds nothing.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from agreements.models import Agreement, Status
from cooperation import events

from .models import Notice

UNREAD = 3  # the newest few of each person's notices stay unread


def seed() -> None:
    if Notice.objects.exists():
        return
    last_year = timezone.localdate().year - 1
    for agreement in Agreement.objects.filter(status=Status.ACTIVE).order_by("pk"):
        events.emit("indicators.report_due", target=agreement, year=last_year)
    # Registered after every demo's events, so it runs once their notices are written.
    transaction.on_commit(_age_and_read)


def _age_and_read() -> None:
    now = timezone.now()
    by_person: dict[int, list[int]] = {}
    for pk, recipient in Notice.objects.order_by("-pk").values_list("pk", "recipient_id"):
        by_person.setdefault(recipient, []).append(pk)
    for ids in by_person.values():
        for i, pk in enumerate(ids):
            created = now - dt.timedelta(hours=3 * i + 1)
            Notice.objects.filter(pk=pk).update(
                created_at=created,
                read_at=None if i < UNREAD else created + dt.timedelta(hours=1),
            )
