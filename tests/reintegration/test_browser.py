"""In the browser: a social worker schedules a vocational step before a critical
basic need is addressed, is asked for a justification, and sees the warning on
the plan page; every plan page passes axe (WCAG 2.1 AA)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cooperation.models import Role
from reintegration import services
from reintegration.models import Area, NeedLevel, Step, StepStatus

from ..browser import ARTIFACTS, axe_violations, describe, log_in, screenshot, wait_for_lazy_parts
from ..factories import ClientFactory, member
from .helpers import add_step, assess, share, soon

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def joint_plan(own, partner):
    from agreements.models import Scope

    from ..factories import agreement_between

    agreement_between(own, partner, [Scope.CLIENT_RECORDS, Scope.JOINT_PLANS])
    worker = member(
        own, Role.SOCIAL_WORKER, username="pracownik", first_name="Anna", last_name="Kowalczyk"
    )
    advisor = member(
        partner, Role.CLIENT_ADVISOR, username="doradca", first_name="Paweł", last_name="Zając"
    )
    coordinator = member(own, Role.COORDINATOR, first_name="Tomasz", last_name="Mazur")
    person = ClientFactory(
        owner=own, created_by=worker, first_name="Józefa", last_name="Żółkiewska"
    )
    share(person, partner, worker)
    plan = services.plan_create(
        acting_user=worker,
        client=person,
        partners=[partner],
        social_worker=worker,
        client_advisor=advisor,
        coordinator=coordinator,
        next_review_date=soon(30),
    )
    assess(plan, worker, housing=NeedLevel.CRITICAL, debt=NeedLevel.MODERATE, income=NeedLevel.NONE)
    goal = services.goal_add(plan=plan, acting_user=worker, title="Bezpieczne mieszkanie")
    late = add_step(plan, worker, goal, area=Area.HOUSING, title="Wniosek o lokal socjalny")
    add_step(
        plan,
        worker,
        goal,
        area=Area.DEBT,
        title="Poradnia zadłużeniowa",
        status=StepStatus.IN_PROGRESS,
    )
    job = services.goal_add(plan=plan, acting_user=worker, title="Praca w pełnym wymiarze")
    add_step(
        plan,
        advisor,
        job,
        area=Area.EDUCATION,
        institution=partner,
        title="Kurs kwalifikacyjny – opiekunka",
        justification="Kurs finansowany z KFS, nabór tylko teraz.",
    )
    # Time passes: the housing step is overdue and the review comes in three days.
    Step.objects.filter(pk=late.pk).update(due_date=soon(-3))
    type(plan).objects.filter(pk=plan.pk).update(next_review_date=soon(3))
    return plan, job, worker


def test_a_vocational_step_before_housing_asks_for_a_justification(
    page, live_server, joint_plan, partner
) -> None:
    plan, job, _worker = joint_plan
    log_in(page, live_server, "doradca")  # the PUP advisor adds a step owned by the PUP
    page.goto(f"{live_server.url}{reverse('reintegration:step_add', args=[plan.pk])}")
    assert page.locator("#r3-warning").is_visible()
    page.select_option("#id_goal", str(job.pk))
    page.select_option("#id_area", Area.EXPERIENCE)
    page.fill("#id_title", "Staż w domu pomocy społecznej")
    page.fill("#id_due_date", soon(21).isoformat())
    page.locator("main form button[type=submit]").click()
    assert page.locator("#id_justification_error").is_visible()
    assert page.locator("#id_title").input_value() == "Staż w domu pomocy społecznej"
    violations = axe_violations(page)
    assert not violations, describe(violations)
    page.fill("#id_justification", "Staż płatny, pozwoli opłacić kaucję za mieszkanie.")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**{plan.get_absolute_url()}")
    step = Step.objects.get(title="Staż w domu pomocy społecznej")
    assert step.institution == partner and step.justification.startswith("Staż płatny")
    warning = page.locator("#r3-warning")
    assert warning.is_visible()
    assert "Staż w domu pomocy społecznej" in warning.inner_text()


def test_the_plan_page_at_1366_passes_axe(page, live_server, joint_plan) -> None:
    plan, _job, _worker = joint_plan
    log_in(page, live_server, "pracownik")
    page.goto(f"{live_server.url}{plan.get_absolute_url()}")
    assert page.viewport_size == {"width": 1366, "height": 768}
    assert page.locator("#r3-warning").is_visible()
    assert page.locator("#plan-pdf").is_visible()
    screenshot(page, "reintegration-plan")  # the whole page
    page.screenshot(path=str(ARTIFACTS / "reintegration-plan-1366x768.png"))  # the first screen
    violations = axe_violations(page)
    assert not violations, describe(violations)


@pytest.mark.parametrize(
    "name", ["needs", "step_add", "goal_add", "review_add", "edit", "close", "history"]
)
def test_the_plan_forms_pass_axe(page, live_server, joint_plan, name) -> None:
    plan, _job, _worker = joint_plan
    log_in(page, live_server, "pracownik")
    page.goto(f"{live_server.url}{reverse(f'reintegration:{name}', args=[plan.pk])}")
    screenshot(page, f"reintegration-{name}")
    violations = axe_violations(page)
    assert not violations, describe(violations)


@pytest.mark.parametrize("path", ["reintegration:list", "reintegration:my_steps", "home"])
def test_the_plan_lists_pass_axe(page, live_server, joint_plan, path) -> None:
    log_in(page, live_server, "pracownik")
    page.goto(f"{live_server.url}{reverse(path)}")
    wait_for_lazy_parts(page)
    assert page.get_by_role("link", name="Wniosek o lokal socjalny").first.is_visible() or (
        path == "reintegration:list"
    )
    screenshot(page, f"reintegration-{path.replace(':', '-')}")
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_the_step_page_with_its_history_passes_axe(page, live_server, joint_plan) -> None:
    plan, _job, _worker = joint_plan
    step = Step.objects.get(title="Wniosek o lokal socjalny")
    log_in(page, live_server, "pracownik")
    page.goto(f"{live_server.url}{reverse('reintegration:step_edit', args=[step.pk])}")
    page.select_option("#id_status", StepStatus.IN_PROGRESS)
    page.fill("#id_due_date", soon(10).isoformat())
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**{plan.get_absolute_url()}")
    assert not page.locator("#r3-warning").count()  # housing is now being addressed
    page.goto(f"{live_server.url}{reverse('reintegration:step_edit', args=[step.pk])}")
    assert page.locator("#step-history-h").is_visible()
    screenshot(page, "reintegration-step_edit")
    violations = axe_violations(page)
    assert not violations, describe(violations)
