"""Version history: who changed which step when, shown on the plan; the audit log;
the client's timeline."""

from __future__ import annotations

from django.urls import reverse

from clients.timeline import timeline_for
from cooperation.models import AuditAction, AuditEvent
from reintegration import services
from reintegration.models import Area, ChangeKind, NeedLevel, PlanChange, StepStatus

from .helpers import TODAY, add_step, assess, soon


def _change_step(step, user, **changes):
    data = {
        "goal": step.goal,
        "area": step.area,
        "title": step.title,
        "institution": step.institution,
        "responsible": step.responsible,
        "due_date": step.due_date,
        "status": step.status,
        "outcome": step.outcome,
        "justification": step.justification,
    }
    data.update(changes)
    return services.step_update(step=step, acting_user=user, **data)


def test_a_step_change_keeps_who_when_and_the_old_and_new_values(
    plan, goal, owner, partner, partner_user
) -> None:
    step = add_step(
        plan, partner_user, goal, area=Area.EXPERIENCE, institution=partner, title="Staż"
    )
    _change_step(step, partner_user, status=StepStatus.IN_PROGRESS, due_date=soon(40))
    change = PlanChange.objects.filter(kind=ChangeKind.STEP_CHANGED).get()
    assert (change.step, change.actor, change.institution) == (step, partner_user, partner)
    assert change.subject == "Staż"
    assert sorted(change.changes, key=lambda c: c["field"]) == [
        {"field": "due_date", "old": soon().isoformat(), "new": soon(40).isoformat()},
        {"field": "status", "old": StepStatus.PLANNED, "new": StepStatus.IN_PROGRESS},
    ]


def test_saving_a_step_unchanged_writes_no_history(plan, goal, owner) -> None:
    step = add_step(plan, owner, goal)
    before = PlanChange.objects.count()
    _change_step(step, owner)
    assert PlanChange.objects.count() == before


def test_every_kind_of_change_is_recorded_in_order(plan, goal, owner, partner_user) -> None:
    assess(plan, owner, housing=NeedLevel.CRITICAL)
    step = add_step(plan, owner, goal)
    _change_step(step, owner, status=StepStatus.DONE, outcome="Mieszkanie przyznane")
    services.review_record(
        plan=plan,
        acting_user=partner_user,
        held_on=TODAY,
        progress="Postęp",
        next_review_date=soon(60),
    )
    services.plan_close(plan=plan, acting_user=owner, outcome="goals_met", note="Cele osiągnięte")
    kinds = list(plan.changes.order_by("at", "pk").values_list("kind", flat=True))
    assert kinds == [
        ChangeKind.CREATED,
        ChangeKind.GOAL_ADDED,
        ChangeKind.NEEDS,
        ChangeKind.STEP_ADDED,
        ChangeKind.STEP_CHANGED,
        ChangeKind.REVIEW,
        ChangeKind.CLOSED,
    ]
    needs = plan.changes.get(kind=ChangeKind.NEEDS)
    assert {"field": "level:housing", "old": "not_assessed", "new": "critical"} in needs.changes


def test_the_plan_page_shows_who_changed_which_step(
    client, plan, goal, owner, partner, partner_user
) -> None:
    step = add_step(
        plan, partner_user, goal, area=Area.EXPERIENCE, institution=partner, title="Staż w hurtowni"
    )
    _change_step(step, partner_user, status=StepStatus.IN_PROGRESS)
    client.force_login(owner)
    body = client.get(plan.get_absolute_url()).content.decode()
    history = body[body.index('id="history-h"') :]
    assert "Staż w hurtowni" in history
    assert partner_user.display_name in history and partner.name in history
    assert f"<del>{StepStatus.PLANNED.label}</del>" in history
    assert f"<ins>{StepStatus.IN_PROGRESS.label}</ins>" in history
    full = client.get(reverse("reintegration:history", args=[plan.pk])).content.decode()
    assert "Staż w hurtowni" in full and f"<ins>{StepStatus.IN_PROGRESS.label}</ins>" in full


def test_changes_are_audited_with_field_names_only(plan, goal, owner) -> None:
    step = add_step(plan, owner, goal, title="Tajny tytuł kroku")
    _change_step(step, owner, outcome="Poufny rezultat")
    event = AuditEvent.objects.get(
        content_type__model="step", object_id=str(step.pk), action=AuditAction.UPDATE
    )
    assert event.fields == ["outcome"] and event.actor == owner
    assert "Poufny" not in str(event.fields) + event.object_label + event.reason


def test_plan_changes_appear_on_the_client_timeline_for_those_who_see_the_plan(
    plan, goal, owner, outsider
) -> None:
    add_step(plan, owner, goal, title="Wniosek o dodatek mieszkaniowy")
    entries = timeline_for(plan.client, owner)
    mine = [e for e in entries if e.url == plan.get_absolute_url()]
    assert any("Wniosek o dodatek mieszkaniowy" in e.title for e in mine)
    assert not [e for e in timeline_for(plan.client, outsider) if "/plans/" in e.url]


def test_anonymising_the_client_erases_the_plans_free_text(plan, goal, owner) -> None:
    from reintegration.models import NeedAssessment, Review, Step

    assess(plan, owner, housing=NeedLevel.CRITICAL)
    step = add_step(plan, owner, goal, title="Terapia uzależnień – Poradnia X")
    _change_step(step, owner, outcome="Nawrót w marcu")
    services.review_record(
        plan=plan, acting_user=owner, held_on=TODAY, progress="Poufny postęp", next_review_date=None
    )
    assert services.plans_anonymise(client=plan.client, acting_user=None) == 1
    texts = [
        *NeedAssessment.objects.filter(plan=plan).values_list("note", flat=True),
        *Step.objects.filter(plan=plan).values_list("title", "outcome", "justification"),
        *Review.objects.filter(plan=plan).values_list("progress", flat=True),
        *plan.changes.values_list("subject", "changes"),
        *plan.goals.values_list("title", flat=True),
    ]
    for secret in ("notatka housing", "Poradnia X", "Nawrót", "Poufny postęp", "Stabilne"):
        assert secret not in str(texts), secret
    assert NeedAssessment.objects.get(plan=plan, area=Area.HOUSING).level == NeedLevel.CRITICAL
    assert AuditEvent.objects.filter(
        content_type__model="reintegrationplan", object_id=str(plan.pk), action=AuditAction.DELETE
    ).exists()


def test_the_step_page_shows_the_history_of_that_step(client, plan, goal, owner) -> None:
    step = add_step(plan, owner, goal, title="Wniosek o dodatek")
    other = add_step(plan, owner, goal, title="Inny krok")
    _change_step(step, owner, due_date=soon(30))
    _change_step(other, owner, title="Inny krok – poprawiony")
    client.force_login(owner)
    body = client.get(reverse("reintegration:step_edit", args=[step.pk])).content.decode()
    history = body[body.index('id="step-history-h"') :]
    assert owner.display_name in history and "<del>" in history
    assert "poprawiony" not in history


def test_a_review_keeps_the_date_it_was_due(plan, owner, partner_user) -> None:
    """The indicators count reviews done on time from `due_on`: the review date in
    force when the review was held, then the date the review sets for the next."""
    due = plan.next_review_date
    first = services.review_record(
        plan=plan, acting_user=partner_user, held_on=TODAY, progress="-", next_review_date=soon(60)
    )
    assert first.due_on == due
    plan.refresh_from_db()
    second = services.review_record(
        plan=plan, acting_user=owner, held_on=TODAY, progress="-", next_review_date=soon(90)
    )
    assert second.due_on == soon(60)
