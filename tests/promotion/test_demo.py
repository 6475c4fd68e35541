"""The demo queue: a dozen cases in Skarżysko at different stages, built once."""

from __future__ import annotations

from django.core.management import call_command

from cooperation.models import User
from promotion.models import CaseAction, CaseStatus, PromotionCase
from promotion.selectors import figures_by_quarter, queue_for


def _seed() -> None:
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_the_demo_builds_a_dozen_cases_at_different_stages_once(
    db, client, monkeypatch, settings
) -> None:
    settings.MFA_REQUIRED = False  # as `make demo` runs it: demo coordinators have no phone app
    monkeypatch.setattr(
        "cooperation.management.commands.seed_demo.DEMO_APPS",
        ["agreements", "clients", "reintegration", "joboffers", "promotion"],
    )
    _seed()
    counts = (PromotionCase.objects.count(), CaseAction.objects.count())
    _seed()
    assert (PromotionCase.objects.count(), CaseAction.objects.count()) == counts
    assert counts[0] == 12
    assert {c.status for c in PromotionCase.objects.all()} == {
        CaseStatus.PROPOSED,
        CaseStatus.TAKEN,
        CaseStatus.CLOSED,
    }
    advisor = User.objects.get(username="advisor.pup-skarzysko")
    worker = User.objects.get(username="worker.mops-skarzysko")
    assert queue_for(advisor).count() == 6
    assert any(c.is_overdue for c in queue_for(advisor))
    assert len(figures_by_quarter(worker)) >= 3
    client.force_login(User.objects.get(username="coordinator.pup-skarzysko"))
    assert client.get("/promotion/figures/").status_code == 200
    assert b"/promotion/" in client.get("/").content
