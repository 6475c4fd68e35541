"""Joint plans tell the other side: a step added, completed or overdue, a review due,
a partner gone. The plan's people are told; the actor, the acting institution's own
people and anyone who may not see the plan are not."""

from __future__ import annotations

import datetime as dt

import pytest

from agreements.models import Scope
from clients.models import LegalBasis
from clients.services import client_share, client_unshare, consent_record
from cooperation.models import Role
from reintegration import services
from reintegration.models import Step, StepStatus

from ..factories import ClientFactory, agreement_between, member
from ..reintegration.helpers import TODAY, add_step, set_status, soon
from .kindcheck import assert_no_personal_data, collecting, may_see, the_one, told

NAME, PESEL = "Zzyzxowska", "44051401359"


@pytest.fixture
def setup(own, partner, owner, partner_user):
    agreement_between(own, partner, [Scope.CLIENT_RECORDS, Scope.JOINT_PLANS])
    person = ClientFactory(owner=own, created_by=owner, last_name=NAME, pesel=PESEL)
    consent = consent_record(
        client=person,
        acting_user=owner,
        partner=partner,
        basis=LegalBasis.STATUTORY_TASK,
        scopes=[Scope.CLIENT_RECORDS, Scope.JOINT_PLANS],
        given_on=TODAY,
    )
    share = client_share(client=person, partner=partner, consent=consent, acting_user=owner)
    plan_coordinator = member(own, Role.COORDINATOR)
    plan = services.plan_create(
        acting_user=owner,
        client=person,
        partners=[partner],
        social_worker=owner,
        client_advisor=partner_user,
        coordinator=plan_coordinator,
        next_review_date=soon(30),
    )
    goal = services.goal_add(plan=plan, acting_user=owner, title="Mieszkanie")
    return {"plan": plan, "goal": goal, "share": share, "coordinator": plan_coordinator}


def _complete(step: Step, user) -> Step:
    return set_status(step, user, StepStatus.DONE, outcome="zrobione")


def test_a_partners_new_step_tells_the_owners_people_and_not_the_partner(
    setup, owner, colleague, partner_user, outsider, django_capture_on_commit_callbacks
) -> None:
    with collecting(django_capture_on_commit_callbacks) as events:
        add_step(setup["plan"], partner_user, setup["goal"])
    event = the_one(events, "reintegration.step_added")
    assert told(event) == {owner, setup["coordinator"]}
    assert not told(event) & {partner_user, colleague, outsider}
    assert_no_personal_data(event, NAME, PESEL)


def test_the_owners_new_step_tells_the_partner_it_is_given_to(
    setup, owner, partner, partner_user, django_capture_on_commit_callbacks
) -> None:
    with collecting(django_capture_on_commit_callbacks) as events:
        add_step(setup["plan"], owner, setup["goal"], institution=partner, responsible=partner_user)
    event = the_one(events, "reintegration.step_added")
    assert told(event) == {partner_user}  # the owner's own coordinator is the same side


def test_a_completed_step_is_told_once(
    setup, owner, partner_user, django_capture_on_commit_callbacks
) -> None:
    step = add_step(setup["plan"], partner_user, setup["goal"])
    with collecting(django_capture_on_commit_callbacks) as events:
        _complete(step, partner_user)
    event = the_one(events, "reintegration.step_completed")
    assert told(event) == {owner, setup["coordinator"]}
    assert_no_personal_data(event, NAME, PESEL)
    with collecting(django_capture_on_commit_callbacks) as again:
        services.step_update(
            step=Step.objects.get(pk=step.pk),
            acting_user=partner_user,
            goal=step.goal,
            area=step.area,
            title=step.title,
            institution=step.institution,
            responsible=step.responsible,
            due_date=step.due_date,
            status=StepStatus.DONE,
            outcome="zrobione, opis poprawiony",
        )
    assert [e.kind for e in again] == []  # a done step edited again is not completed again


def test_the_daily_pass_tells_of_a_missed_step_and_a_review_due(
    setup, owner, partner_user, outsider, django_capture_on_commit_callbacks
) -> None:
    plan = setup["plan"]
    missed = add_step(plan, partner_user, setup["goal"])
    Step.objects.filter(pk=missed.pk).update(due_date=TODAY - dt.timedelta(days=1))
    long_missed = add_step(plan, partner_user, setup["goal"], title="Dawno")
    Step.objects.filter(pk=long_missed.pk).update(due_date=TODAY - dt.timedelta(days=5))
    type(plan).objects.filter(pk=plan.pk).update(next_review_date=TODAY)
    with collecting(django_capture_on_commit_callbacks) as events:
        counts = services.plans_run_daily(today=TODAY)
    assert counts == {"steps_overdue": 1, "reviews_due": 1}
    overdue = the_one(events, "reintegration.step_overdue")
    assert overdue.target_id == missed.pk
    assert told(overdue) == {owner, setup["coordinator"]}  # the partner that missed it is not
    review = the_one(events, "reintegration.review_due")
    assert told(review) == {owner, setup["coordinator"], partner_user}
    assert outsider not in told(review)
    for event in (overdue, review):
        assert_no_personal_data(event, NAME, PESEL)


def test_a_partner_whose_share_ended_is_told_nothing_and_may_not_open_the_notice(
    setup, owner, partner_user, django_capture_on_commit_callbacks
) -> None:
    with collecting(django_capture_on_commit_callbacks) as events:
        step = add_step(setup["plan"], owner, setup["goal"])
    event = the_one(events, "reintegration.step_added")
    assert may_see(event, partner_user)
    with collecting(django_capture_on_commit_callbacks) as ended:
        client_unshare(share=setup["share"], acting_user=owner, reason="koniec współpracy")
    assert not may_see(event, partner_user)
    assert partner_user not in told(event)
    # The owner's worker, to whom the partner's open steps came back, is told — unless
    # they ended the share themselves (the actor is never told).
    left = the_one(ended, "reintegration.partner_left")
    assert left.data["user_id"] == owner.pk and told(left) == set()
    assert step.pk  # the owner's own step stays


def test_a_partner_leaving_by_the_system_tells_the_owners_worker(
    setup, owner, partner, partner_user, django_capture_on_commit_callbacks
) -> None:
    add_step(setup["plan"], partner_user, setup["goal"])
    with collecting(django_capture_on_commit_callbacks) as events:
        services.plans_release_partner(
            client=setup["plan"].client, partner=partner, acting_user=None, reason="umowa"
        )
    event = the_one(events, "reintegration.partner_left")
    assert event.data["steps"] == 1
    assert told(event) == {owner}
    assert_no_personal_data(event, NAME, PESEL)
