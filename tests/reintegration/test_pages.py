"""Plan pages: creating, assessing, steps, reviews, closing; query counts; home sections."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cooperation.models import AuditAction, AuditEvent
from reintegration import services
from reintegration.models import (
    Area,
    Goal,
    NeedAssessment,
    NeedLevel,
    PlanOutcome,
    PlanStatus,
    ReintegrationPlan,
    Review,
    Step,
    StepStatus,
)

from ..factories import ClientFactory
from ..lazy import get_loaded
from .helpers import TODAY, add_step, assess, share, soon


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# --- creating a plan -----------------------------------------------------------
def test_the_client_plan_link_offers_to_create_a_plan(client, own, owner) -> None:
    person = ClientFactory(owner=own, created_by=owner)
    client.force_login(owner)
    body = client.get(reverse("reintegration:client_plan", args=[person.pk])).content.decode()
    assert reverse("reintegration:create", args=[person.pk]) in body


def test_the_client_plan_link_goes_to_the_open_plan(client, plan, owner) -> None:
    client.force_login(owner)
    response = client.get(reverse("reintegration:client_plan", args=[plan.client_id]))
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()


def test_a_worker_creates_a_plan_through_the_form_once(
    client, shared_client, owner, partner, partner_user
) -> None:
    client.force_login(owner)
    url = reverse("reintegration:create", args=[shared_client.pk])
    form = client.get(url).content.decode()
    assert partner.name in form and partner_user.last_name in form
    data = {
        "partners": [partner.pk],
        "social_worker": owner.pk,
        "client_advisor": partner_user.pk,
        "coordinator": "",
        "next_review_date": soon(30).isoformat(),
        "form_token": "plan-1",
    }
    response = client.post(url, data)
    plan = ReintegrationPlan.objects.get()
    assert response["Location"] == reverse("reintegration:needs", args=[plan.pk])
    assert set(plan.participants.values_list("institution_id", flat=True)) == {
        shared_client.owner_id,
        partner.pk,
    }
    assert plan.needs.count() == len(Area.values)
    assert plan.needs.filter(level=NeedLevel.NOT_ASSESSED).count() == len(Area.values)
    second = client.post(url, data)
    assert ReintegrationPlan.objects.count() == 1
    assert second.status_code == 302


def test_a_person_of_the_wrong_role_is_refused_next_to_the_field(
    client, shared_client, owner, partner_user
) -> None:
    client.force_login(owner)
    response = client.post(
        reverse("reintegration:create", args=[shared_client.pk]),
        {"social_worker": partner_user.pk, "form_token": "plan-2"},
    )
    assert response.status_code == 200
    assert 'id="id_social_worker_error"' in response.content.decode()
    assert not ReintegrationPlan.objects.exists()


# --- needs, goals, steps, reviews --------------------------------------------------
def test_the_needs_form_saves_levels_and_notes(client, plan, owner) -> None:
    client.force_login(owner)
    data = {f"level_{a}": NeedLevel.NONE for a in Area.values}
    data |= {f"note_{a}": "" for a in Area.values}
    data |= {"level_housing": NeedLevel.CRITICAL, "note_housing": "Zadłużenie czynszowe, eksmisja"}
    # Health and addiction assessed: special-category data, recorded on an art. 9(2) ground.
    data["special_category_ground"] = "9_2_b"
    response = client.post(reverse("reintegration:needs", args=[plan.pk]), data)
    assert response.status_code == 302
    housing = NeedAssessment.objects.get(plan=plan, area=Area.HOUSING)
    assert (housing.level, housing.note, housing.assessed_by) == (
        NeedLevel.CRITICAL,
        "Zadłużenie czynszowe, eksmisja",
        owner,
    )
    assert not NeedAssessment.objects.filter(plan=plan, level=NeedLevel.NOT_ASSESSED).exists()


def test_a_goal_then_a_step_through_the_forms(client, plan, owner, own) -> None:
    client.force_login(owner)
    response = client.post(
        reverse("reintegration:goal_add", args=[plan.pk]),
        {"title": "Własne mieszkanie", "form_token": "g-1"},
    )
    goal = Goal.objects.get()
    assert response["Location"].endswith(f"?goal={goal.pk}")
    assert f'value="{goal.pk}" selected' in client.get(response["Location"]).content.decode()
    response = client.post(
        reverse("reintegration:step_add", args=[plan.pk]),
        {
            "goal": goal.pk,
            "area": Area.HOUSING,
            "title": "Wniosek o mieszkanie socjalne",
            "institution": own.pk,
            "responsible": owner.pk,
            "due_date": soon().isoformat(),
            "status": StepStatus.PLANNED,
            "form_token": "s-1",
        },
    )
    assert response["Location"] == plan.get_absolute_url()
    step = Step.objects.get()
    assert (step.title, step.responsible, step.institution) == (
        "Wniosek o mieszkanie socjalne",
        owner,
        own,
    )


def test_a_step_needs_a_goal_first(client, plan, owner) -> None:
    client.force_login(owner)
    response = client.get(reverse("reintegration:step_add", args=[plan.pk]))
    assert response["Location"] == reverse("reintegration:goal_add", args=[plan.pk])


def test_a_finished_step_needs_an_outcome(plan, goal, owner) -> None:
    with pytest.raises(ValidationError) as exc:
        add_step(plan, owner, goal, status=StepStatus.DONE)
    assert "outcome" in exc.value.message_dict


def test_an_open_step_cannot_be_due_in_the_past(plan, goal, owner) -> None:
    with pytest.raises(ValidationError) as exc:
        add_step(plan, owner, goal, due_date=TODAY - dt.timedelta(days=1))
    assert "due_date" in exc.value.message_dict


def test_a_review_records_progress_and_moves_the_review_date(client, plan, partner_user) -> None:
    client.force_login(partner_user)  # any participant records a review
    response = client.post(
        reverse("reintegration:review_add", args=[plan.pk]),
        {
            "held_on": TODAY.isoformat(),
            "progress": "Klientka ukończyła kurs, szuka pracy.",
            "next_review_date": soon(60).isoformat(),
            "form_token": "r-1",
        },
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.next_review_date == soon(60)
    review = Review.objects.get()
    assert review.institution == partner_user.memberships.get().institution


def test_a_next_review_in_the_past_is_refused(client, plan, owner) -> None:
    client.force_login(owner)
    response = client.post(
        reverse("reintegration:review_add", args=[plan.pk]),
        {
            "held_on": TODAY.isoformat(),
            "progress": "Bez zmian.",
            "next_review_date": (TODAY - dt.timedelta(days=2)).isoformat(),
            "form_token": "r-2",
        },
    )
    assert 'id="id_next_review_date_error"' in response.content.decode()
    assert not Review.objects.exists()


def test_closing_keeps_the_plan_as_history_and_frees_the_client_for_a_new_one(
    client, plan, owner
) -> None:
    client.force_login(owner)
    url = reverse("reintegration:close", args=[plan.pk])
    # The outcome is required: without it, or with "not recorded", the plan stays open.
    for data in ({"note": "Cele osiągnięte."}, {"note": "x", "outcome": "not_recorded"}):
        response = client.post(url, data)
        assert response.status_code == 200
        assert 'id="id_outcome_error"' in response.content.decode()
    with pytest.raises(ValidationError) as raised:
        services.plan_close(plan=plan, acting_user=owner, outcome="not_recorded", note="x")
    assert "outcome" in raised.value.message_dict
    plan.refresh_from_db()
    assert plan.is_open
    response = client.post(url, {"outcome": "partly_met", "note": "Cele osiągnięte."})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED and plan.closed_by == owner
    assert plan.closing_outcome == PlanOutcome.PARTLY_MET
    change = plan.changes.get(kind="closed")
    assert {"field": "closing_outcome", "old": "", "new": "partly_met"} in change.changes
    audited = AuditEvent.objects.filter(
        content_type__model="reintegrationplan", object_id=str(plan.pk), action="update"
    ).last()
    assert audited is not None and "closing_outcome" in audited.fields
    # Closed: readable, no longer changeable; the page says how it ended.
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "cele osiągnięte częściowo" in page
    assert client.get(reverse("reintegration:goal_add", args=[plan.pk])).status_code == 403
    with pytest.raises(ValidationError):
        services.goal_add(plan=plan, acting_user=owner, title="Po zamknięciu")
    page = client.get(reverse("reintegration:client_plan", args=[plan.client_id]))
    assert page.status_code == 200 and plan.get_absolute_url() in page.content.decode()
    new = services.plan_create(acting_user=owner, client=plan.client)
    assert new.pk != plan.pk


def test_one_open_plan_per_client(plan, owner) -> None:
    with pytest.raises(ValidationError):
        services.plan_create(acting_user=owner, client=plan.client)
    assert ReintegrationPlan.objects.filter(client=plan.client).count() == 1


def test_no_new_plan_for_a_closed_case(own, owner) -> None:
    from clients.models import ClientStatus

    person = ClientFactory(owner=own, created_by=owner, status=ClientStatus.CLOSED)
    with pytest.raises(ValidationError):
        services.plan_create(acting_user=owner, client=person)


# --- query counts -----------------------------------------------------------------
def _grow(plan, owner, partner_user, partner, n: int) -> None:
    assess(plan, owner, housing=NeedLevel.CRITICAL, debt=NeedLevel.MODERATE)
    for g in range(max(1, n // 5)):
        goal = services.goal_add(plan=plan, acting_user=owner, title=f"Cel {g}")
        for i in range(5):
            add_step(plan, owner, goal, area=Area.HOUSING, title=f"Krok {g}.{i}")
            add_step(
                plan,
                partner_user,
                goal,
                area=Area.EXPERIENCE,
                institution=partner,
                title=f"Staż {g}.{i}",
                justification="Uzasadnienie",
            )
    for i in range(max(1, n // 10)):
        services.review_record(
            plan=plan,
            acting_user=owner,
            held_on=TODAY - dt.timedelta(days=i),
            progress=f"Przegląd {i}",
            next_review_date=soon(30),
        )


@pytest.mark.parametrize("viewer", ["owner", "partner_user"])
def test_the_plan_page_costs_the_same_queries_for_few_and_many_steps(
    client, own, owner, partner, partner_user, joint_agreement, viewer, request
) -> None:
    user = request.getfixturevalue(viewer)
    plans = []
    for n in (2, 40):
        person = ClientFactory(owner=own, created_by=owner)
        share(person, partner, owner)
        plan = services.plan_create(
            acting_user=owner, client=person, partners=[partner], social_worker=owner
        )
        _grow(plan, owner, partner_user, partner, n)
        plans.append(plan)
    assert Step.objects.filter(plan=plans[1]).count() == 80
    client.force_login(user)
    client.get(plans[0].get_absolute_url())  # warm the session and content types
    few, many = (_queries(client, p.get_absolute_url()) for p in plans)
    assert few == many, f"{few} queries for a small plan, {many} for a large one"
    assert many <= 12, many


def test_the_list_pages_cost_the_same_queries_for_any_size(client, own, owner) -> None:
    client.force_login(owner)
    client.get(reverse("home"))  # warm the session
    counts = []
    for n in (2, 30):
        while ReintegrationPlan.objects.count() < n:
            person = ClientFactory(owner=own, created_by=owner)
            plan = services.plan_create(acting_user=owner, client=person, social_worker=owner)
            goal = services.goal_add(plan=plan, acting_user=owner, title="Cel")
            add_step(plan, owner, goal)
        counts.append(
            (
                _queries(client, reverse("reintegration:list")),
                _queries(client, reverse("reintegration:my_steps")),
                _queries(client, reverse("reintegration:list") + "?mine=on&status=open&q=Testowa"),
            )
        )
    assert counts[0] == counts[1]


# --- home page ----------------------------------------------------------------------
def _overdue(step: Step, days: int = 3) -> None:
    Step.objects.filter(pk=step.pk).update(due_date=TODAY - dt.timedelta(days=days))


def test_the_responsible_person_sees_overdue_steps_and_due_reviews_at_home(
    client, plan, goal, owner, colleague, partner_user, partner
) -> None:
    late = add_step(plan, owner, goal, title="Zaległy wniosek do MOPS")
    add_step(plan, owner, goal, title="Krok w terminie")
    theirs = add_step(
        plan, partner_user, goal, area=Area.EXPERIENCE, institution=partner, title="Zaległy staż"
    )
    _overdue(late)
    _overdue(theirs)
    ReintegrationPlan.objects.filter(pk=plan.pk).update(
        next_review_date=TODAY - dt.timedelta(days=1)
    )

    client.force_login(owner)
    body = get_loaded(client, reverse("home"))
    assert "Zaległy wniosek do MOPS" in body
    assert "Krok w terminie" not in body and "Zaległy staż" not in body
    assert 'id="section-reintegration_reviews_due"' in body
    reviews = body[body.index('id="section-reintegration_reviews_due"') :]
    assert plan.client.full_name in reviews[: reviews.index("</section>")]

    client.force_login(partner_user)  # the client advisor of the plan, at the partner
    body = get_loaded(client, reverse("home"))
    assert "Zaległy staż" in body and "Zaległy wniosek do MOPS" not in body
    reviews = body[body.index('id="section-reintegration_reviews_due"') :]
    assert plan.client.full_name in reviews[: reviews.index("</section>")]

    client.force_login(colleague)  # not responsible for anything in this plan
    body = get_loaded(client, reverse("home"))
    assert "Zaległy" not in body and plan.client.full_name not in body


def test_done_steps_and_closed_plans_leave_the_home_page(client, plan, goal, owner) -> None:
    late = add_step(plan, owner, goal, title="Zaległy krok")
    _overdue(late)
    services.plan_close(plan=plan, acting_user=owner, outcome="moved", note="Przeprowadzka")
    client.force_login(owner)
    assert "Zaległy krok" not in client.get(reverse("home")).content.decode()


def test_the_home_page_costs_the_same_queries_for_any_number_of_plan_steps(
    client, own, owner
) -> None:
    client.force_login(owner)
    client.get(reverse("home"))  # warm the session
    counts = []
    for n in (1, 12):
        while ReintegrationPlan.objects.count() < n:
            person = ClientFactory(owner=own, created_by=owner)
            plan = services.plan_create(
                acting_user=owner, client=person, social_worker=owner, next_review_date=TODAY
            )
            goal = services.goal_add(plan=plan, acting_user=owner, title="Cel")
            _overdue(add_step(plan, owner, goal))
        counts.append(_queries(client, reverse("home")))
    assert counts[0] == counts[1]


def test_the_plan_summary_for_the_client_page_is_cheap(
    django_assert_max_num_queries, plan, goal, owner, partner_user, outsider
) -> None:
    from cooperation.models import User
    from cooperation.permissions import membership_of
    from reintegration.selectors import plan_summary_for_client

    late = add_step(plan, owner, goal)
    add_step(plan, owner, goal)
    _overdue(late)
    viewer = User.objects.get(pk=owner.pk)
    membership_of(viewer)  # as on a page: the middleware has already loaded the membership
    with django_assert_max_num_queries(2):
        summary = plan_summary_for_client(viewer, plan.client)
    assert summary == {
        "plan_id": plan.pk,
        "open_steps": 2,
        "overdue_steps": 1,
        "next_review_date": plan.next_review_date,
        "review_overdue": False,
    }
    assert plan_summary_for_client(partner_user, plan.client)["plan_id"] == plan.pk
    assert plan_summary_for_client(outsider, plan.client) is None
    # Without an open plan: a partner needs the policy's check of the client and the
    # agreement check (constant; the access table of issue 18 is to fold them together).
    services.plan_close(plan=plan, acting_user=owner, outcome="other", note="Koniec")
    advisor = User.objects.get(pk=partner_user.pk)
    membership_of(advisor)
    with django_assert_max_num_queries(3):
        empty = plan_summary_for_client(advisor, plan.client)
    assert empty is not None and empty["plan_id"] is None


def test_viewing_and_printing_a_plan_is_audited(client, plan, owner) -> None:
    client.force_login(owner)
    client.get(plan.get_absolute_url())
    client.get(reverse("reintegration:pdf", args=[plan.pk]))
    actions = set(
        AuditEvent.objects.filter(
            content_type__model="reintegrationplan", object_id=str(plan.pk), actor=owner
        ).values_list("action", flat=True)
    )
    assert {AuditAction.CREATE, AuditAction.VIEW, AuditAction.EXPORT} <= actions


def test_people_are_offered_once_with_the_institution_they_work_in_now(own, partner) -> None:
    from cooperation.models import Role
    from cooperation.services import membership_create
    from reintegration.forms import people_in

    from ..factories import member

    mover = member(partner, Role.SOCIAL_WORKER, last_name="Przeniesiona")
    membership_create(user=mover, institution=own, role=Role.SOCIAL_WORKER)  # ends the old one
    offered = list(people_in([own.pk, partner.pk], [Role.SOCIAL_WORKER]))
    assert [p.institution_name for p in offered if p.pk == mover.pk] == [own.name]


def test_the_client_page_plan_tab_is_the_panel_reintegration_adds(
    client, plan, owner, partner_user
) -> None:
    url = plan.client.get_absolute_url()
    client.force_login(owner)
    page = client.get(f"{url}?tab=plan").content.decode()
    assert reverse("reintegration:detail", args=[plan.pk]) in page
    hrefs = [f'href="?tab={key}"' for key in ("record", "plan", "timeline", "notes", "sharing")]
    assert all(h in page for h in hrefs)
    assert [page.index(h) for h in hrefs] == sorted(page.index(h) for h in hrefs)
    client.force_login(partner_user)
    page = client.get(f"{url}?tab=plan").content.decode()
    assert reverse("reintegration:detail", args=[plan.pk]) in page
    assert 'href="?tab=sharing"' not in page
    # A tab the partner does not have falls back to the record.
    assert client.get(f"{url}?tab=sharing").context["tab"] == "record"
