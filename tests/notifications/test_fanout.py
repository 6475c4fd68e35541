"""From an event to notices: once per person and event, to the right people only."""

from __future__ import annotations

import logging

import pytest
from django.core import mail

from cooperation.events import Event
from cooperation.roles import PROMOTION_WORKER_ROLES
from notifications.models import Notice
from notifications.tasks import fan_out
from promotion import services
from promotion.models import ActionKind, CaseOutcome

from ..promotion.helpers import TODAY, propose

pytestmark = pytest.mark.django_db


def _told(kind: str) -> set[int]:
    return set(Notice.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def test_the_same_event_twice_writes_one_notice(
    ready, owner, partner, advisor, committed, events
) -> None:
    with committed():
        propose(ready, owner, partner)
    assert Notice.objects.filter(recipient=advisor).count() == 1
    fan_out.delay(events[0].as_dict())  # a task redelivered after a lost worker
    assert Notice.objects.filter(recipient=advisor).count() == 1


def test_an_unknown_kind_is_ignored_and_logged(own, caplog) -> None:
    event = Event(kind="nothing.happened", target_model="cooperation.institution", target_id=own.pk)
    with caplog.at_level(logging.WARNING, logger="notifications.services"):
        assert fan_out.delay(event.as_dict()).get() == 0
    assert "nothing.happened" in caplog.text
    assert not Notice.objects.exists()


def test_a_proposal_tells_the_offices_advisors_and_coordinator_only(
    ready, owner, colleague, partner, advisor, advisor2, pup_coordinator, outsider, elsewhere,
    committed,
) -> None:  # fmt: skip
    with committed():
        propose(ready, owner, partner)
    office = set(
        partner.memberships.filter(is_active=True, role__in=PROMOTION_WORKER_ROLES).values_list(
            "user_id", flat=True
        )
    )
    assert {advisor.pk, advisor2.pk, pup_coordinator.pk} <= office
    assert _told("promotion.proposed") == office
    notice = Notice.objects.get(recipient=advisor)
    assert notice.institution_id == ready.client.owner_id and "Źdźbło" in notice.text


def test_taking_acting_and_closing_tell_the_proposing_worker_only(
    proposed, owner, colleague, advisor, advisor2, pup_coordinator, outsider, elsewhere, committed
) -> None:
    with committed():
        case = services.case_take(case=proposed, acting_user=advisor)
    with committed():
        services.case_action_add(
            case=case, acting_user=advisor, kind=ActionKind.TRAINING, happened_on=TODAY
        )
    with committed():
        services.case_close(case=case, acting_user=advisor, outcome=CaseOutcome.JOB)
    for kind in ("promotion.taken", "promotion.action", "promotion.closed"):
        assert _told(kind) == {owner.pk}, kind
    closed = Notice.objects.get(kind="promotion.closed")
    assert str(CaseOutcome.JOB.label) in closed.text or "prac" in closed.text


def test_a_worker_who_left_the_institution_is_not_told(proposed, owner, advisor, committed) -> None:
    owner.memberships.update(is_active=False)
    owner.__dict__.pop("_active_membership", None)
    with committed():
        services.case_take(case=proposed, acting_user=advisor)
    assert not _told("promotion.taken")


def test_the_actor_is_not_told_of_their_own_action(
    proposed, owner, pup_coordinator, committed
) -> None:
    with committed():
        services.case_take(case=proposed, acting_user=pup_coordinator)
    assert pup_coordinator.pk not in _told("promotion.taken")


def test_a_failing_mail_server_does_not_fail_the_action(
    ready, owner, partner, advisor, committed, monkeypatch
) -> None:
    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    with committed():
        case = propose(ready, owner, partner)
    assert case.pk and Notice.objects.filter(recipient=advisor).exists()
    assert mail.outbox == []


def test_a_partner_whose_access_ended_is_told_nothing(proposed, advisor, person, partner) -> None:
    """Recipients are asked `may_see` at fan-out: an event arriving after the office
    lost the case (the agreement stopped covering the queue) writes them nothing."""
    services.cases_withdraw_between(person.owner, partner, "agreement ended")
    late = Event(
        kind="promotion.proposed", target_model="promotion.promotioncase", target_id=proposed.pk
    )
    fan_out.delay(late.as_dict())
    assert Notice.objects.filter(recipient=advisor, event_id=late.id).count() == 0
