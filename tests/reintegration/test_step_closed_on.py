"""The day a step was done or dropped (`Step.closed_on`): kept by the services,
and filled for steps closed before it existed by migration 0006."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
import time_machine
from django.apps import apps
from django.utils import timezone

from reintegration.models import PlanChange, Step, StepStatus

from ..conftest import shifted_now
from .helpers import add_step, set_status

pytestmark = pytest.mark.django_db

backfill = importlib.import_module("reintegration.migrations.0006_step_closed_on")


update = set_status  # the step with a new status


def test_done_keeps_the_local_day_and_reopening_clears_it(plan, goal, owner) -> None:
    step = add_step(plan, owner, goal)
    assert step.closed_on is None
    today = timezone.localdate()
    # Half past midnight, local time: still the day before in UTC.
    with time_machine.travel(shifted_now(f"{today.isoformat()}T00:30"), tick=False):
        done = update(step, owner, StepStatus.DONE)
    assert done.closed_on == today
    # Done to dropped: it closed on the day it was done.
    assert update(done, owner, StepStatus.DROPPED).closed_on == today
    reopened = update(done, owner, StepStatus.IN_PROGRESS, outcome="")
    assert reopened.closed_on is None
    assert Step.objects.get(pk=step.pk).closed_on is None


def test_a_step_added_done_closed_the_day_it_was_added(plan, goal, owner) -> None:
    step = add_step(plan, owner, goal, status=StepStatus.DONE, outcome="Zrobione")
    assert step.closed_on == timezone.localdate()


def test_the_migration_takes_the_day_from_the_plans_history(plan, goal, owner) -> None:
    y = timezone.localdate().year - 1
    from_history = add_step(plan, owner, goal, title="A")
    with time_machine.travel(shifted_now(f"{y}-03-31T23:59"), tick=False):
        update(from_history, owner, StepStatus.DONE)  # 23:59 local on 31 March
    # Reopened, then dropped later: the last closing counts.
    reopened = add_step(plan, owner, goal, title="B")
    for when, status in (
        (f"{y}-02-01T10:00", StepStatus.DONE),
        (f"{y}-02-03T10:00", StepStatus.PLANNED),
        (f"{y}-05-06T10:00", StepStatus.DROPPED),
    ):
        with time_machine.travel(shifted_now(when), tick=False):
            update(reopened, owner, status, outcome="" if status == StepStatus.PLANNED else "-")
    # Added done: the "step added" entry, old value empty.
    with time_machine.travel(shifted_now(f"{y}-06-10T08:00"), tick=False):
        add_step(plan, owner, goal, title="C", status=StepStatus.DONE, outcome="-")
    # No history entry names its closing: the day it was last changed.
    no_history = add_step(plan, owner, goal, title="D")
    Step.objects.filter(pk=no_history.pk).update(
        status=StepStatus.DONE, outcome="-", updated_at=shifted_now(f"{y}-07-01T00:30")
    )
    still_open = add_step(plan, owner, goal, title="E")
    Step.objects.update(closed_on=None)  # as before the field existed

    backfill.closed_on_backfill(apps, None)

    days = dict(Step.objects.values_list("title", "closed_on"))
    assert days == {
        "A": dt.date(y, 3, 31),
        "B": dt.date(y, 5, 6),
        "C": dt.date(y, 6, 10),
        "D": dt.date(y, 7, 1),  # 00:30 local on 1 July (22:30 UTC on 30 June)
        "E": None,
    }
    assert still_open.status == StepStatus.PLANNED
    assert PlanChange.objects.filter(step=no_history).count() == 1  # only "added"


def test_the_plan_page_and_pdf_say_when_a_step_was_done(client, plan, goal, owner) -> None:
    from django.urls import reverse

    from ..pdfs import pdf_text

    step = add_step(plan, owner, goal, title="Wizyta w poradni")
    with time_machine.travel(shifted_now("2026-03-02T10:00"), tick=False):
        update(step, owner, StepStatus.DONE, outcome="Była")
    add_step(plan, owner, goal, title="Wniosek o lokal")  # open: no day
    client.force_login(owner)
    body = client.get(plan.get_absolute_url()).content.decode()
    row = body.split(f'id="step-{step.pk}"')[1].split("</tr>")[0]
    assert "dnia 2 marca 2026" in row
    assert body.count("dnia 2 marca 2026") == 1  # the open step says no day
    pdf = client.get(reverse("reintegration:pdf", args=[plan.pk])).content
    assert "02.03.2026" in pdf_text(pdf)
