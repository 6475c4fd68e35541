"""The demo's plan history gives the overdue-steps indicator figures in past periods."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from cooperation.models import Institution
from indicators.periods import QUARTER, period_containing
from indicators.selectors import figures_compute, scope_own
from reintegration.models import Step, StepStatus

pytestmark = pytest.mark.django_db


def test_done_steps_have_the_day_they_closed_and_past_quarters_have_overdue_steps(
    monkeypatch,
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(
        "cooperation.management.commands.seed_demo.DEMO_APPS",
        ["agreements", "clients", "reintegration", "indicators"],
    )
    for _twice in range(2):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    closed = Step.objects.filter(status__in=[StepStatus.DONE, StepStatus.DROPPED])
    assert closed.count() > 40  # the two MOPS' year of steps, seeded once
    assert not closed.filter(closed_on__isnull=True).exists()
    assert not Step.objects.filter(
        status__in=[StepStatus.PLANNED, StepStatus.IN_PROGRESS], closed_on__isnull=False
    ).exists()
    # The plans aged by the reintegration demo: their steps closed on the moved days.
    assert closed.filter(closed_on__lt=timezone.localdate()).count() == closed.count()
    for short in ("mops-skarzysko", "mops-ostrowiec"):
        own = scope_own(Institution.objects.get(short_name=short))
        quarter, found = period_containing(timezone.localdate(), QUARTER), []
        for _i in range(4):
            quarter = quarter.previous()
            found.append(figures_compute(own, quarter)["steps_overdue"][0])
        assert sum(found) > 0, (short, found)
