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


def test_the_demo_has_last_years_reports_one_kept_one_waiting_for_the_pup(
    monkeypatch, client
) -> None:  # type: ignore[no-untyped-def]
    """Both counties' MOPS–PUP agreements have last year's report: Skarżysko's approved
    by both and kept as a file, Ostrowiec's waiting for the PUP's self-assessment."""
    from django.urls import reverse

    from cooperation.models import User
    from indicators.models import AnnualReport, ReportStatus

    monkeypatch.setattr(
        "cooperation.management.commands.seed_demo.DEMO_APPS",
        ["agreements", "clients", "indicators"],
    )
    for _twice in range(2):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    year = timezone.localdate().year - 1
    reports = AnnualReport.objects.filter(year=year)
    assert reports.count() == 2
    kept = reports.get(agreement__parties__institution__short_name="pup-skarzysko")
    assert kept.status == ReportStatus.FROZEN and kept.file and kept.sha256
    waiting = reports.get(agreement__parties__institution__short_name="pup-ostrowiec")
    assert waiting.status == ReportStatus.DRAFT
    assert list(waiting.approvals.values_list("institution__short_name", flat=True)) == [
        "mops-ostrowiec"
    ]
    from ..factories import enrol_totp
    from ..lazy import get_loaded

    coordinator = User.objects.get(username="coordinator.pup-ostrowiec")
    enrol_totp(coordinator)  # the demo lets coordinators in without it (MFA_REQUIRED=0)
    client.force_login(coordinator)
    assert reverse("indicators:report", args=[waiting.pk]) in get_loaded(client, "/")
