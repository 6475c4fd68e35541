# ruff: noqa: F811 - the joint-plan fixture, imported, is a parameter here
"""The daily jobs catch up on the days beat did not run (a worker down over a
weekend, a deploy): a step that became overdue or a review that fell due on a missed
day is told on the next run — once, however often the job runs, since the events'
ids come from the object and its date. The clock is pinned (time-machine) at 06:30
Warsaw, beat's hour. Information requests: tests/messaging/test_requests.py."""

from __future__ import annotations

import datetime as dt

import pytest

from cooperation.models import DailyRun
from notifications.models import Notice
from reintegration.models import ReintegrationPlan, Step
from reintegration.services import DAILY_JOB
from reintegration.tasks import plans_daily

from ..reintegration.helpers import TODAY, add_step
from .daily import notices, run_at
from .test_kinds_reintegration import setup  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def _steps_due(setup, user, *days: dt.date) -> list[Step]:  # type: ignore[no-untyped-def]
    steps = []
    for n, day in enumerate(days):
        step = add_step(setup["plan"], user, setup["goal"], title=f"Krok {n}")
        Step.objects.filter(pk=step.pk).update(due_date=day)
        steps.append(step)
    return steps


def _missed_two_days(setup, owner, partner_user, start: dt.date) -> None:  # type: ignore[no-untyped-def]
    """Beat runs on `start`, not on the two days after, then again on the third. Each
    day a step becomes overdue, and the plan's review falls due on a missed day."""
    steps = _steps_due(setup, partner_user, start, start + dt.timedelta(1), start + dt.timedelta(2))
    plan = setup["plan"]
    ReintegrationPlan.objects.filter(pk=plan.pk).update(next_review_date=start + dt.timedelta(2))
    assert run_at(start, plans_daily) == {"steps_overdue": 0, "reviews_due": 0}
    back = start + dt.timedelta(days=3)
    assert run_at(back, plans_daily) == {"steps_overdue": 3, "reviews_due": 1}
    plan_people = {owner.pk, setup["coordinator"].pk}
    overdue = notices("reintegration.step_overdue")
    assert set(overdue) == {(s.pk, pk) for s in steps for pk in plan_people}
    assert set(overdue.values()) == {1}
    review = notices("reintegration.review_due")
    assert set(review) == {(plan.pk, pk) for pk in (*plan_people, partner_user.pk)}
    review_text = Notice.objects.filter(kind="reintegration.review_due").first().text
    assert (start + dt.timedelta(2)).strftime("%d.%m.%Y") in review_text  # not "today"
    # Run again the same day: nothing more.
    assert run_at(back, plans_daily, hour="09:00") == {"steps_overdue": 0, "reviews_due": 0}
    # The record of the last run lost: the days are handled again, and tell nobody twice.
    DailyRun.objects.filter(job=DAILY_JOB).update(done_through=start)
    assert run_at(back, plans_daily, hour="10:00") == {"steps_overdue": 3, "reviews_due": 1}
    assert notices("reintegration.step_overdue") == overdue
    assert notices("reintegration.review_due") == review


def test_steps_and_reviews_of_two_missed_days_are_told_once_on_the_next_run(
    setup, owner, partner_user
) -> None:
    _missed_two_days(setup, owner, partner_user, TODAY + dt.timedelta(days=7))


def test_the_catch_up_across_the_spring_dst_change(setup, owner, partner_user) -> None:
    """Beat ran on Friday 26 March 2027 and not over the weekend of the change to
    summer time (Sunday 28 March, 02:00 → 03:00); Monday's run tells Saturday's,
    Sunday's and Monday's."""
    _missed_two_days(setup, owner, partner_user, dt.date(2027, 3, 26))


def test_the_catch_up_goes_back_seven_days_at_most(setup, owner, partner_user) -> None:
    start = TODAY + dt.timedelta(days=7)
    long_ago, within = _steps_due(
        setup, partner_user, start + dt.timedelta(days=1), start + dt.timedelta(days=3)
    )
    run_at(start, plans_daily)
    assert run_at(start + dt.timedelta(days=10), plans_daily)["steps_overdue"] == 1
    assert {t for t, _pk in notices("reintegration.step_overdue")} == {within.pk}


def test_the_first_run_tells_only_what_became_overdue_today(setup, partner_user) -> None:
    """Before it kept a record the job ran daily on its own: what became overdue before
    today was told then, under other ids, and is not told again."""
    start = TODAY + dt.timedelta(days=7)
    _steps_due(setup, partner_user, start - dt.timedelta(days=3), start - dt.timedelta(days=1))
    assert run_at(start, plans_daily)["steps_overdue"] == 1
    assert DailyRun.objects.get(job=DAILY_JOB).done_through == start
