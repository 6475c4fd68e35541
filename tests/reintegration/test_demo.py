"""The demo plans: built by `seed_demo`, at different stages, idempotent."""

from __future__ import annotations

from django.core.management import call_command
from django.urls import reverse

from cooperation.models import User
from reintegration.models import PlanChange, PlanStatus, ReintegrationPlan, Step
from reintegration.selectors import home_overdue_steps, plans_visible_to


def _seed() -> None:
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_the_demo_builds_plans_at_different_stages_once(db, client, monkeypatch) -> None:
    # Only the apps plans depend on (and this one), so later apps' demos do not slow it down.
    monkeypatch.setattr(
        "cooperation.management.commands.seed_demo.DEMO_APPS",
        ["agreements", "clients", "reintegration"],
    )
    _seed()
    counts = (ReintegrationPlan.objects.count(), Step.objects.count(), PlanChange.objects.count())
    _seed()
    assert (
        ReintegrationPlan.objects.count(),
        Step.objects.count(),
        PlanChange.objects.count(),
    ) == counts
    plans = ReintegrationPlan.objects.select_related("client__owner")
    assert len(plans) == 4
    assert {p.client.owner.short_name for p in plans} == {"mops-skarzysko"}
    assert {p.status for p in plans} == {PlanStatus.OPEN, PlanStatus.CLOSED}
    assert Step.objects.exclude(justification="").exists()  # the R3 case

    worker = User.objects.get(username="worker.mops-skarzysko")
    advisor = User.objects.get(username="advisor.pup-skarzysko")
    assert plans_visible_to(worker).count() == 4
    joint = plans_visible_to(advisor)
    assert joint.exists(), "shared demo clients should give the PUP joint plans"
    assert Step.objects.filter(plan__in=joint, institution__short_name="pup-skarzysko").exists()
    assert not plans_visible_to(User.objects.get(username="worker.mops-ostrowiec")).exists()

    client.force_login(worker)
    for plan in plans:
        assert client.get(plan.get_absolute_url()).status_code == 200
    home = client.get(reverse("home")).content.decode()
    assert 'id="section-reintegration_overdue_steps"' in home

    class Request:
        user = worker

    assert home_overdue_steps(Request())  # type: ignore[arg-type]
