"""Demo SEPI lookups (run by `manage.py seed_demo`): a few past lookups by
`worker.mops-skarzysko` about clients MOPS shares with the PUP, answered by
the simulator as of their dates — so the client page shows answers of some
age, a change since the previous lookup, and one failed lookup with its
retry button. Idempotent: each demo lookup has a fixed request key."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from clients.models import Client
from cooperation.models import Institution, User

from . import schema
from .adapter import SimulatorBackend
from .changes import detect_changes
from .models import FailureReason, Lookup, LookupStatus, Purpose
from .simulator import status_changes_on

HOW_MANY = 6


def _at(days_ago: int, hour: int) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 15)))


def _answered(
    client: Client, worker: User, institution: Institution, key: str, at: dt.datetime, purpose: str
) -> None:
    if Lookup.objects.filter(request_key=key).exists():
        return
    result = SimulatorBackend(today=at.date()).lookup_status(
        client.pesel, purpose=purpose, requested_by=worker.username
    )
    previous = (
        Lookup.objects.filter(client=client, institution=institution, status=LookupStatus.DONE)
        .order_by("-fetched_at")
        .first()
    )
    Lookup.objects.create(
        client=client,
        institution=institution,
        requested_by=worker,
        pesel=client.pesel,
        purpose=purpose,
        request_key=key,
        requested_at=at,
        started_at=at,
        finished_at=at + dt.timedelta(seconds=2),
        fetched_at=at + dt.timedelta(seconds=2),
        attempts=1,
        status=LookupStatus.DONE,
        result=schema.dump(result),
        changes=detect_changes(schema.parse(previous.result) if previous else None, result),
    )


def seed() -> None:
    institution = Institution.objects.get(short_name="mops-skarzysko")
    worker = User.objects.get(username="worker.mops-skarzysko")
    shared = list(
        Client.objects.filter(owner=institution, shares__ended_at__isnull=True)
        .exclude(pesel="")
        .distinct()
        .order_by("pk")[:HOW_MANY]
    )
    today = timezone.localdate()
    for index, client in enumerate(shared):
        # Ask once before the person's latest registration change (when there was one
        # this year), so the second lookup shows what changed.
        changes = status_changes_on(
            client.pesel, between=(today - dt.timedelta(days=330), today - dt.timedelta(days=5))
        )
        first = (today - changes[-1]).days + 10 if changes else 45 + index * 7
        _answered(
            client,
            worker,
            institution,
            f"demo-{client.pk}-1",
            _at(first, 9),
            Purpose.BENEFIT_ELIGIBILITY,
        )
        _answered(
            client,
            worker,
            institution,
            f"demo-{client.pk}-2",
            _at(2 + index % 3, 11),
            Purpose.REINTEGRATION_PLAN,
        )
    if shared and not Lookup.objects.filter(request_key=f"demo-{shared[0].pk}-3").exists():
        at = _at(1, 8)
        Lookup.objects.create(
            client=shared[0],
            institution=institution,
            requested_by=worker,
            pesel=shared[0].pesel,
            purpose=Purpose.SOCIAL_CONTRACT,
            request_key=f"demo-{shared[0].pk}-3",
            requested_at=at,
            started_at=at,
            finished_at=at + dt.timedelta(seconds=40),
            attempts=1,
            status=LookupStatus.FAILED,
            failure_reason=FailureReason.TIMEOUT,
        )
