"""Recommendation 3: basic needs first, then employment.

A vocational step scheduled while a basic need is assessed critical and no
step in that area is in progress or done needs a justification; the plan
page warns about it.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from reintegration import services
from reintegration.models import Area, NeedAssessment, NeedLevel, Step, StepStatus
from reintegration.rules import critical_gaps

from .helpers import add_step, assess, soon

CRITICAL = NeedLevel.CRITICAL


def test_critical_gaps_lists_critical_basic_areas_without_a_started_step() -> None:
    needs = [
        NeedAssessment(area=Area.DEBT, level=CRITICAL),
        NeedAssessment(area=Area.HOUSING, level=CRITICAL),
        NeedAssessment(area=Area.HEALTH, level=NeedLevel.MODERATE),
        NeedAssessment(area=Area.EDUCATION, level=CRITICAL),  # vocational: not a basic need
        NeedAssessment(area=Area.INCOME, level=CRITICAL),
    ]
    steps = [
        Step(area=Area.INCOME, status=StepStatus.IN_PROGRESS),
        Step(area=Area.DEBT, status=StepStatus.PLANNED),  # planned does not address it
        Step(area=Area.HOUSING, status=StepStatus.DROPPED),  # nor does a dropped one
    ]
    assert critical_gaps(needs, steps) == [Area.HOUSING, Area.DEBT]  # in area order
    assert critical_gaps(needs, [*steps, Step(area=Area.HOUSING, status=StepStatus.DONE)]) == [
        Area.DEBT
    ]


def test_a_vocational_step_needs_a_justification_while_housing_is_critical(
    plan, goal, owner
) -> None:
    assess(plan, owner, housing=CRITICAL)
    with pytest.raises(ValidationError) as exc:
        add_step(plan, owner, goal, area=Area.QUALIFICATIONS, title="Kurs spawacza")
    assert "justification" in exc.value.message_dict
    assert not Step.objects.filter(title="Kurs spawacza").exists()


def test_a_justification_is_stored_with_the_step(plan, goal, owner) -> None:
    assess(plan, owner, housing=CRITICAL)
    step = add_step(
        plan,
        owner,
        goal,
        area=Area.QUALIFICATIONS,
        title="Kurs spawacza",
        justification="Kurs startuje teraz, kolejny za rok; mieszkanie chronione od przyszłego miesiąca.",
    )
    step.refresh_from_db()
    assert step.justification.startswith("Kurs startuje teraz")


def test_a_blank_justification_does_not_count(plan, goal, owner) -> None:
    assess(plan, owner, housing=CRITICAL)
    with pytest.raises(ValidationError):
        add_step(plan, owner, goal, area=Area.EDUCATION, justification="   ")


def test_a_planned_basic_step_does_not_yet_address_the_need(plan, goal, owner) -> None:
    assess(plan, owner, housing=CRITICAL)
    add_step(plan, owner, goal, area=Area.HOUSING, status=StepStatus.PLANNED)
    with pytest.raises(ValidationError):
        add_step(plan, owner, goal, area=Area.EXPERIENCE)


@pytest.mark.parametrize("status", [StepStatus.IN_PROGRESS, StepStatus.DONE])
def test_a_started_or_finished_basic_step_addresses_the_need(plan, goal, owner, status) -> None:
    assess(plan, owner, housing=CRITICAL)
    add_step(plan, owner, goal, area=Area.HOUSING, status=status, outcome="Umowa najmu socjalnego")
    step = add_step(plan, owner, goal, area=Area.EXPERIENCE, title="Staż")
    assert step.justification == ""


def test_every_critical_basic_need_must_be_addressed(plan, goal, owner) -> None:
    assess(plan, owner, housing=CRITICAL, debt=CRITICAL)
    add_step(plan, owner, goal, area=Area.HOUSING, status=StepStatus.IN_PROGRESS)
    with pytest.raises(ValidationError) as exc:
        add_step(plan, owner, goal, area=Area.EXPERIENCE)
    assert str(Area.DEBT.label) in exc.value.message_dict["justification"][0]
    assert str(Area.HOUSING.label) not in exc.value.message_dict["justification"][0]


@pytest.mark.parametrize("level", [NeedLevel.MODERATE, NeedLevel.NONE, NeedLevel.NOT_ASSESSED])
def test_only_a_critical_level_triggers_the_rule(plan, goal, owner, level) -> None:
    assess(plan, owner, housing=level)
    add_step(plan, owner, goal, area=Area.QUALIFICATIONS)


def test_a_critical_vocational_need_does_not_trigger_the_rule(plan, goal, owner) -> None:
    assess(plan, owner, education=CRITICAL)
    add_step(plan, owner, goal, area=Area.QUALIFICATIONS)


def test_recording_a_vocational_step_already_done_is_not_scheduling_it(plan, goal, owner) -> None:
    assess(plan, owner, housing=CRITICAL)
    add_step(plan, owner, goal, area=Area.EDUCATION, status=StepStatus.DONE, outcome="Ukończyła")


def _update(step, user, **changes):
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


def test_starting_a_vocational_step_while_the_need_is_critical_needs_a_justification(
    plan, goal, owner
) -> None:
    vocational = add_step(plan, owner, goal, area=Area.EXPERIENCE, title="Staż w PUP")
    assess(plan, owner, housing=CRITICAL)  # assessed after the step was scheduled
    with pytest.raises(ValidationError) as exc:
        _update(vocational, owner, status=StepStatus.IN_PROGRESS)
    assert "justification" in exc.value.message_dict
    _update(vocational, owner, status=StepStatus.IN_PROGRESS, justification="Staż jest płatny.")
    vocational.refresh_from_db()
    assert vocational.status == StepStatus.IN_PROGRESS


def test_rescheduling_or_moving_a_step_into_a_vocational_area_is_checked(plan, goal, owner) -> None:
    basic = add_step(plan, owner, goal, area=Area.FOOD, title="Bank żywności")
    vocational = add_step(plan, owner, goal, area=Area.EDUCATION, title="Szkoła")
    assess(plan, owner, health=CRITICAL)
    with pytest.raises(ValidationError):
        _update(basic, owner, area=Area.QUALIFICATIONS)
    with pytest.raises(ValidationError):
        _update(vocational, owner, due_date=soon(20))


def test_writing_an_outcome_note_is_not_rescheduling(plan, goal, owner) -> None:
    vocational = add_step(plan, owner, goal, area=Area.EDUCATION, title="Szkoła")
    assess(plan, owner, health=CRITICAL)
    _update(vocational, owner, outcome="Zapisana, czeka na wrzesień")


def test_the_plan_page_warns_and_shows_the_justification(client, plan, goal, owner) -> None:
    add_step(plan, owner, goal, area=Area.EXPERIENCE, title="Staż bez uzasadnienia")
    assess(plan, owner, housing=CRITICAL)
    add_step(
        plan,
        owner,
        goal,
        area=Area.QUALIFICATIONS,
        title="Kurs z uzasadnieniem",
        justification="Ostatni nabór w tym roku",
    )
    client.force_login(owner)
    body = client.get(reverse("reintegration:detail", args=[plan.pk])).content.decode()
    assert 'id="r3-warning"' in body
    warning = body[
        body.index('id="r3-warning"') : body.index("</div>", body.index('id="r3-warning"'))
    ]
    assert str(Area.HOUSING.label) in warning
    assert "Staż bez uzasadnienia" in warning and "Kurs z uzasadnieniem" in warning
    assert "Ostatni nabór w tym roku" in warning
    assert "plan-steps__r3" in body


def test_no_warning_once_the_basic_need_is_addressed(client, plan, goal, owner) -> None:
    assess(plan, owner, housing=CRITICAL)
    add_step(plan, owner, goal, area=Area.HOUSING, status=StepStatus.IN_PROGRESS)
    add_step(plan, owner, goal, area=Area.EXPERIENCE, title="Staż")
    client.force_login(owner)
    body = client.get(reverse("reintegration:detail", args=[plan.pk])).content.decode()
    assert 'id="r3-warning"' not in body and "plan-steps__r3" not in body


def test_the_step_form_shows_the_rule_next_to_the_justification_field(
    client, plan, goal, owner, own
) -> None:
    assess(plan, owner, housing=CRITICAL)
    client.force_login(owner)
    url = reverse("reintegration:step_add", args=[plan.pk])
    assert 'id="r3-warning"' in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "goal": goal.pk,
            "area": Area.QUALIFICATIONS,
            "title": "Kurs operatora wózka",
            "institution": own.pk,
            "responsible": owner.pk,
            "due_date": soon().isoformat(),
            "status": StepStatus.PLANNED,
            "form_token": "r3-form",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_justification_error"' in body
    assert "Kurs operatora wózka" in body  # the form keeps what was typed
    assert not Step.objects.exists()
