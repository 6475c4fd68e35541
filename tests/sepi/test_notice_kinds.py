"""A batch check that finds a change mattering to the client's worker (here: the
person left the labour office's register) tells that worker, once, in words that
name nobody; a single lookup (the worker asked) and an unchanged answer tell no one."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from agreements.models import Scope
from clients.models import ClientShare
from clients.services import client_unshare
from cooperation.models import Membership
from cooperation.services import membership_update
from sepi import simulator
from sepi.changes import detect_changes, worker_matters
from sepi.models import Purpose
from sepi.services import batch_start, lookup_request
from sepi.types import ActionPlan, Activation, ActivationKind, ActivationOutcome, StatusResult

from ..factories import ClientFactory, agreement_between
from ..notifications.kindcheck import assert_no_personal_data, collecting, may_see, the_one, told
from .conftest import SIM_TODAY, pesel_where, share

pytestmark = pytest.mark.django_db


def _deregistration_in(days: int) -> tuple[str, dt.date]:
    def deregisters(pesel: str) -> bool:
        return any(
            r["to"] and SIM_TODAY - dt.timedelta(days=days) < dt.date.fromisoformat(r["to"])
            for r in simulator.person_status(pesel, today=SIM_TODAY).get("registrations", [])
        )

    pesel = pesel_where(deregisters)
    data = simulator.person_status(pesel, today=SIM_TODAY)
    return pesel, dt.date.fromisoformat(data["registrations"][-1]["to"])


def test_a_batch_check_tells_the_clients_worker_of_a_deregistration(
    settings,
    sepi_http,
    django_capture_on_commit_callbacks,
    own,
    partner,
    owner,
    colleague,
    coordinator,
) -> None:
    settings.SEPI_CACHE_SECONDS = 0  # the batch asks again instead of reusing the answer
    agreement_between(own, partner, [Scope.CLIENT_RECORDS])
    pesel, day = _deregistration_in(200)
    client = ClientFactory(owner=own, created_by=owner, pesel=pesel, last_name="Xylofonowa")
    share(client, owner, partner, [Scope.CLIENT_RECORDS])
    simulator.control(sepi_http.url, today=(day - dt.timedelta(days=3)).isoformat())
    with collecting(django_capture_on_commit_callbacks) as events:
        lookup_request(client=client, acting_user=owner, purpose=Purpose.PERIODIC_REVIEW)
    assert events == []  # the worker asked and sees the answer: nothing to tell
    simulator.control(sepi_http.url, today=(day + dt.timedelta(days=2)).isoformat())
    with collecting(django_capture_on_commit_callbacks) as events:
        batch_start(acting_user=coordinator, purpose=Purpose.PERIODIC_REVIEW)
    change = the_one(events, "sepi.change")
    assert change.data["changes"][0] == "deregistered"  # (its IPD ended with it)
    assert told(change) == {owner}
    assert not told(change) & {colleague, coordinator}
    assert_no_personal_data(change, "Xylo", pesel)
    # The share with the partner ends: the owner's worker still may see it. Once the
    # worker leaves the institution, they may not.
    client_unshare(share=ClientShare.objects.get(client=client), acting_user=owner, reason="x")
    assert may_see(change, owner)
    membership = Membership.objects.get(user=owner, is_active=True)
    membership_update(
        membership=membership, acting_user=coordinator, role=membership.role, is_active=False
    )
    assert not may_see(change, owner)
    assert told(change) == {coordinator}  # no worker left: the one who ran the check


def test_only_changes_that_matter_to_the_worker_are_told() -> None:
    start = dt.date(2026, 1, 5)
    kind, outcome = next(iter(ActivationKind)), next(iter(ActivationOutcome))
    running = Activation(kind=kind, name="Staż", date_from=start, date_to=None, outcome=outcome)
    ended = replace(running, date_to=start + dt.timedelta(days=90))
    plan = ActionPlan(prepared_on=start)
    old = StatusResult(
        pesel="",
        found=True,
        as_of=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
        activations=(running,),
        action_plans=(plan,),
    )
    new = replace(old, activations=(ended,), action_plans=(replace(plan, ended_on=start),))
    assert worker_matters(detect_changes(old, new)) == ["ipd_ended", "activation_ended"]
    assert worker_matters(detect_changes(new, new)) == []
