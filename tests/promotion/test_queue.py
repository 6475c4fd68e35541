"""The PUP's queue: order, taking a case (exactly one of two advisors wins),
recording actions, closing, and the proposing worker seeing the progress."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.translation import gettext

from agreements.models import Scope
from clients.timeline import timeline_for
from cooperation.models import Role
from promotion import services
from promotion.models import ActionKind, CaseOutcome, CaseStatus, PromotionCase
from promotion.selectors import queue_for

from ..factories import ClientFactory, agreement_between, member
from .helpers import TODAY, completed_programme, consent_for, propose

pytestmark = pytest.mark.django_db
WARSAW = timezone.get_default_timezone()


def _queued(own, owner, partner, n: int, **flags):
    cases = []
    for _i in range(n):
        person = ClientFactory(owner=own, created_by=owner)
        consent_for(person, owner, partner)
        cases.append(propose(completed_programme(person, owner), owner, partner, **flags))
    return cases


def _age(case: PromotionCase, days: int) -> None:
    at = timezone.now() - dt.timedelta(days=days)
    PromotionCase.objects.filter(pk=case.pk).update(proposed_at=at, last_activity_at=at)


def test_the_queue_is_ordered_by_priority_then_waiting_time(
    own, owner, partner, advisor, promo_agreement
) -> None:
    (plain_old,) = _queued(own, owner, partner, 1)
    (plain_new,) = _queued(own, owner, partner, 1)
    (single_parent,) = _queued(own, owner, partner, 1, single_parent=True)
    (long_term_disabled,) = _queued(
        own, owner, partner, 1, long_term_unemployed=True, disability=True
    )
    (long_term,) = _queued(own, owner, partner, 1, long_term_unemployed=True)
    _age(plain_old, 30)
    _age(plain_new, 3)
    assert list(queue_for(advisor)) == [
        long_term_disabled,
        long_term,
        single_parent,
        plain_old,
        plain_new,
    ]


def test_an_advisor_takes_a_case(ready, owner, partner, advisor) -> None:
    case = services.case_take(case=propose(ready, owner, partner), acting_user=advisor)
    assert (case.status, case.assigned_to) == (CaseStatus.TAKEN, advisor)
    assert case.taken_at is not None


def test_a_taken_case_cannot_be_taken_again(ready, owner, partner, advisor, advisor2) -> None:
    case = propose(ready, owner, partner)
    services.case_take(case=case, acting_user=advisor)
    with pytest.raises(ValidationError, match="already taken"):
        services.case_take(case=case, acting_user=advisor2)
    case.refresh_from_db()
    assert case.assigned_to == advisor


def test_the_stale_object_loses_too(ready, owner, partner, advisor, advisor2) -> None:
    # Both advisors loaded the case while it was waiting; the second save must not win.
    case = propose(ready, owner, partner)
    stale = PromotionCase.objects.get(pk=case.pk)
    services.case_take(case=case, acting_user=advisor)
    with pytest.raises(ValidationError):
        services.case_take(case=stale, acting_user=advisor2)
    assert PromotionCase.objects.get(pk=case.pk).assigned_to == advisor


@pytest.mark.django_db(transaction=True)
def test_two_advisors_taking_at_once_exactly_one_wins(own, owner, partner) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; the sequential tests cover SQLite")
    agreement_between(own, partner, [Scope.CLIENT_RECORDS, Scope.PROMOTION])
    person = ClientFactory(owner=own, created_by=owner)
    consent_for(person, owner, partner)
    case = propose(completed_programme(person, owner), owner, partner)
    advisors = [member(partner, Role.CLIENT_ADVISOR) for _ in range(2)]
    barrier = threading.Barrier(2)
    results: list[str] = []

    def take(user) -> None:
        try:
            barrier.wait()
            services.case_take(case=case, acting_user=user)
            results.append("won")
        except ValidationError:
            results.append("lost")
        finally:
            close_old_connections()

    threads = [threading.Thread(target=take, args=(a,)) for a in advisors]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["lost", "won"]
    assert PromotionCase.objects.get(pk=case.pk).assigned_to in advisors


def test_only_the_office_takes_cases(ready, owner, partner, colleague) -> None:
    case = propose(ready, owner, partner)
    with pytest.raises(PermissionDenied):
        services.case_take(case=case, acting_user=colleague)
    pup_worker = member(partner, Role.SOCIAL_WORKER)
    with pytest.raises(PermissionDenied):
        services.case_take(case=case, acting_user=pup_worker)


def test_actions_need_the_case_taken_and_by_the_assignee(
    ready, owner, partner, advisor, advisor2, pup_coordinator
) -> None:
    case = propose(ready, owner, partner)
    with pytest.raises(ValidationError, match="Take the case"):
        services.case_action_add(
            case=case, acting_user=advisor, kind=ActionKind.TRAINING, happened_on=TODAY
        )
    services.case_take(case=case, acting_user=advisor)
    with pytest.raises(PermissionDenied):
        services.case_action_add(
            case=case, acting_user=advisor2, kind=ActionKind.TRAINING, happened_on=TODAY
        )
    services.case_action_add(
        case=case, acting_user=advisor, kind=ActionKind.EMPLOYER_CONTACT, happened_on=TODAY
    )
    services.case_action_add(
        case=case, acting_user=pup_coordinator, kind=ActionKind.TRAINING, happened_on=TODAY
    )
    case.refresh_from_db()
    assert case.first_action_at is not None and case.actions.count() == 2


def test_an_offer_action_needs_an_offer_of_the_office(ready, owner, partner, advisor) -> None:
    case = services.case_take(case=propose(ready, owner, partner), acting_user=advisor)
    with pytest.raises(ValidationError, match="offer"):
        services.case_action_add(
            case=case, acting_user=advisor, kind=ActionKind.OFFER, happened_on=TODAY
        )


def test_closing_records_the_outcome(ready, owner, partner, advisor) -> None:
    case = services.case_take(case=propose(ready, owner, partner), acting_user=advisor)
    case = services.case_close(
        case=case, acting_user=advisor, outcome=CaseOutcome.INTERNSHIP, note="Staż w hurtowni"
    )
    assert (case.status, case.outcome) == (CaseStatus.CLOSED, CaseOutcome.INTERNSHIP)
    assert case.closed_at is not None
    with pytest.raises(ValidationError):
        services.case_close(case=case, acting_user=advisor, outcome=CaseOutcome.JOB)
    assert list(queue_for(advisor)) == []
    assert list(queue_for(advisor, state="closed")) == [case]


def test_a_waiting_case_cannot_be_closed(ready, owner, partner, advisor) -> None:
    with pytest.raises(ValidationError):
        services.case_close(
            case=propose(ready, owner, partner), acting_user=advisor, outcome=CaseOutcome.REFUSED
        )


@pytest.mark.parametrize("hour", [8, 15])
def test_the_proposing_worker_sees_the_progress_on_the_timeline(
    ready, owner, partner, advisor, person, hour
) -> None:
    """In the order it happened, whatever the hour: an action dated today once sat at
    noon, after a closing at 10:00."""
    morning = dt.datetime.combine(timezone.localdate(), dt.time(hour), tzinfo=WARSAW)
    with time_machine.travel(morning, tick=True):
        case = services.case_take(case=propose(ready, owner, partner), acting_user=advisor)
        services.case_action_add(
            case=case,
            acting_user=advisor,
            kind=ActionKind.INTERNSHIP_REFERRAL,
            happened_on=timezone.localdate(),
        )
        services.case_close(case=case, acting_user=advisor, outcome=CaseOutcome.INTERNSHIP)
    titles = [e.title for e in timeline_for(person, owner) if e.kind == gettext("Promotion")]
    assert titles[0] == gettext("Closed: %(outcome)s") % {"outcome": CaseOutcome.INTERNSHIP.label}
    assert str(ActionKind.INTERNSHIP_REFERRAL.label) in titles
    assert gettext("Taken by an advisor") in titles
    assert gettext("Proposed to %(office)s") % {"office": partner.name} in titles


def test_the_pages_take_and_close(client, ready, owner, partner, advisor) -> None:
    case = propose(ready, owner, partner)
    client.force_login(advisor)
    assert client.get("/promotion/").status_code == 200
    page = client.get(f"/promotion/{case.pk}/")
    assert b'id="take"' in page.content
    assert client.post(f"/promotion/{case.pk}/take/").status_code == 302
    response = client.post(f"/promotion/{case.pk}/close/", {"outcome": CaseOutcome.JOB})
    assert response.status_code == 302
    assert PromotionCase.objects.get(pk=case.pk).outcome == CaseOutcome.JOB


def test_the_proposer_cannot_take_through_the_page(client, ready, owner, partner) -> None:
    case = propose(ready, owner, partner)
    client.force_login(owner)
    assert client.post(f"/promotion/{case.pk}/take/").status_code == 403
    assert b'id="take"' not in client.get(f"/promotion/{case.pk}/").content


def test_the_queue_page_has_a_constant_number_of_queries(
    client, django_assert_max_num_queries, own, owner, partner, advisor, promo_agreement
) -> None:
    client.force_login(advisor)
    client.get("/promotion/")  # the first request of a session does its own bookkeeping
    counts = []
    for n in (2, 20):
        cases = _queued(own, owner, partner, n, disability=True)
        for case in cases[: n // 2]:
            services.case_take(case=case, acting_user=advisor)
        with django_assert_max_num_queries(12) as captured:
            response = client.get("/promotion/")
        counts.append(len(captured.captured_queries))
    assert response.content.count(b'id="case-') == 22
    assert counts[0] == counts[1]
