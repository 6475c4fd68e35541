"""Cases untouched for 14 days: flagged in the queue, on the advisor's and the
coordinator's home pages, and in the weekly e-mail digest."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from cooperation.models import Role
from promotion import services
from promotion.models import ActionKind, PromotionCase
from promotion.selectors import overdue_cases
from promotion.tasks import overdue_digest

from ..conftest import shifted_now
from ..factories import member
from ..lazy import get_loaded
from .helpers import TODAY, propose

pytestmark = pytest.mark.django_db


def _untouched(case: PromotionCase, days: int) -> None:
    PromotionCase.objects.filter(pk=case.pk).update(
        last_activity_at=timezone.now() - dt.timedelta(days=days)
    )


def test_a_case_untouched_for_14_days_is_overdue(ready, owner, partner) -> None:
    case = propose(ready, owner, partner)
    _untouched(case, 13)
    assert not overdue_cases(PromotionCase.objects.all()).exists()
    _untouched(case, 15)
    case.refresh_from_db()
    assert case.is_overdue and list(overdue_cases(PromotionCase.objects.all())) == [case]


def test_an_action_resets_the_clock(ready, owner, partner, advisor) -> None:
    case = services.case_take(case=propose(ready, owner, partner), acting_user=advisor)
    _untouched(case, 20)
    services.case_action_add(
        case=case, acting_user=advisor, kind=ActionKind.EMPLOYER_CONTACT, happened_on=TODAY
    )
    assert not overdue_cases(PromotionCase.objects.all()).exists()


def test_the_home_pages_flag_it_for_advisors_and_coordinators(
    client, ready, owner, partner, advisor, pup_coordinator
) -> None:
    case = propose(ready, owner, partner)
    _untouched(case, 15)
    link = f'href="/promotion/{case.pk}/"'.encode()
    for user in (advisor, pup_coordinator):
        client.force_login(user)
        assert link.decode() in get_loaded(client, "/")
    client.force_login(owner)
    assert link.decode() not in get_loaded(client, "/")


def test_an_advisor_does_not_see_a_colleagues_overdue_case_but_the_coordinator_does(
    client, ready, owner, partner, advisor, advisor2, pup_coordinator
) -> None:
    case = services.case_take(case=propose(ready, owner, partner), acting_user=advisor2)
    _untouched(case, 15)
    link = f'href="/promotion/{case.pk}/"'.encode()
    client.force_login(advisor)
    assert link.decode() not in get_loaded(client, "/")
    client.force_login(pup_coordinator)
    assert link.decode() in get_loaded(client, "/")


def test_the_queue_marks_overdue_cases(client, ready, owner, partner, advisor) -> None:
    case = propose(ready, owner, partner)
    client.force_login(advisor)
    assert b"data-overdue" not in client.get("/promotion/").content
    _untouched(case, 15)
    assert b"data-overdue" in client.get("/promotion/").content
    assert client.get("/promotion/?overdue=1").content.count(b'id="case-') == 1


def test_the_weekly_digest_tells_the_office_without_personal_data(
    ready, owner, partner, advisor, pup_coordinator, person
) -> None:
    from notifications.models import Notice

    member(partner, Role.SOCIAL_WORKER, username="pup-worker")
    case = propose(ready, owner, partner)
    _untouched(case, 15)
    with (
        time_machine.travel(_next_monday(), tick=True),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        sent = overdue_digest.delay().get()
    assert sent == 1
    told = set(Notice.objects.filter(kind="promotion.overdue").values_list("recipient", flat=True))
    assert {advisor.pk, pup_coordinator.pk} <= told
    to = {address for message in mail.outbox for address in message.to}
    assert {advisor.email, pup_coordinator.email} <= to
    assert "pup-worker@example.pl" not in to and owner.email not in to
    for message in mail.outbox:
        assert f"{settings.SITE_URL}/notifications/" in message.body
        for secret in (person.last_name, person.pesel, person.phone, "Umiejętność"):
            assert secret not in message.body and secret not in message.subject


def test_no_digest_without_overdue_cases(ready, owner, partner, advisor) -> None:
    propose(ready, owner, partner)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert services.overdue_digest_send() == 0
    assert mail.outbox == []


def _next_monday(days: int = 0) -> dt.datetime:
    """07:00 Warsaw on the next Monday (a week on if today is one), plus `days`."""
    today = timezone.localdate()
    monday = today + dt.timedelta(days=7 - today.weekday() + days)
    return shifted_now(f"{monday.isoformat()}T07:00")


def test_the_digest_is_asked_daily_and_tells_weekly() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["promotion-overdue-digest"]
    assert entry["task"] == "promotion.tasks.overdue_digest"
    assert entry["schedule"].day_of_week == set(range(7))


def _told() -> list[tuple[int, str]]:
    """(recipient, event id) of each `promotion.overdue` notice."""
    from notifications.models import Notice

    return list(
        Notice.objects.filter(kind="promotion.overdue").values_list("recipient_id", "event_id")
    )


def test_a_monday_missed_is_told_on_the_next_day_beat_runs_and_once_that_week(
    ready, owner, partner, advisor, pup_coordinator
) -> None:
    from cooperation.dailyruns import job_done

    case = propose(ready, owner, partner)
    _untouched(case, 15)
    job_done(services.WEEKLY_DIGEST_JOB, timezone.localdate())  # it ran last week
    # Beat did not run on Monday; Wednesday's run tells, Thursday's and a second
    # Wednesday run tell nothing more.
    for days, offices in ((2, 1), (2, 0), (3, 0)):
        with (
            time_machine.travel(_next_monday(days), tick=True),
            TestCase.captureOnCommitCallbacks(execute=True),
        ):
            assert overdue_digest.delay().get() == offices
    week = _told()
    assert {advisor.pk, pup_coordinator.pk} <= {pk for pk, _id in week}
    assert len({pk for pk, _id in week}) == len(week) and len({i for _pk, i in week}) == 1
    # The next week's Monday tells again.
    with (
        time_machine.travel(_next_monday(7), tick=True),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        assert overdue_digest.delay().get() == 1
    assert len(_told()) == 2 * len(week) and len({i for _pk, i in _told()}) == 2


def test_before_its_first_recorded_run_only_a_monday_tells(ready, owner, partner, advisor) -> None:
    """The Monday-only schedule told this week already: a deploy on a Tuesday must not
    tell again."""
    case = propose(ready, owner, partner)
    _untouched(case, 15)
    with (
        time_machine.travel(_next_monday(1), tick=True),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        assert services.overdue_digest_send() == 0
    with (
        time_machine.travel(_next_monday(7), tick=True),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        assert services.overdue_digest_send() == 1
