"""Each messaging event reaches the right people and not the wrong ones (the actor,
the actor's colleagues, another county, a partner whose share ended), and `may_see`
follows the policy layer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import TestCase
from django.utils import timezone

from agreements.models import Scope
from clients.services import client_unshare
from cooperation.models import Role
from messaging.services import (
    announcement_post,
    message_post,
    request_answer,
    request_send,
    requests_run_daily,
)
from notifications.kinds import KINDS

from ..factories import ClientFactory, InstitutionFactory, agreement_between, member

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _emitted(collector, action):
    with TestCase.captureOnCommitCallbacks(execute=True):
        result = action()
    return result, collector.events[-1]


def _coordinators(institution):
    from cooperation.models import User

    return set(
        User.objects.filter(
            memberships__institution=institution, memberships__role=Role.COORDINATOR
        )
    )


def _told(event):
    kind = KINDS[event.kind]
    return set(kind.recipients(event, event.target()))


def test_every_messaging_kind_is_declared_without_personal_data_in_the_subject() -> None:
    names = {k for k in KINDS if k.startswith("messaging.")}
    assert names == {
        "messaging.message_posted",
        "messaging.request_sent",
        "messaging.request_answered",
        "messaging.request_overdue",
        "messaging.announcement_posted",
    }
    for name in names:
        assert "%" not in str(KINDS[name].email_subject)


def test_a_message_tells_the_other_side_who_works_on_the_client(
    collector, person, owner, colleague, advisor, partner, outsider
) -> None:
    member(partner, Role.COORDINATOR)
    _m, event = _emitted(
        collector, lambda: message_post(client=person, acting_user=owner, text="A")
    )
    # Nobody of the PUP has written yet: its coordinators stand for it.
    assert _told(event) == _coordinators(partner) and advisor not in _told(event)
    _m, event = _emitted(
        collector, lambda: message_post(client=person, acting_user=advisor, text="B")
    )
    # The owner's worker who registered the client; never the advisor's colleagues or self.
    assert _told(event) == {owner}
    _m, event = _emitted(
        collector, lambda: message_post(client=person, acting_user=owner, text="C")
    )
    told = _told(event)
    assert advisor in told and owner not in told and colleague not in told
    assert outsider not in told
    message = event.target()
    kind = KINDS[event.kind]
    assert kind.may_see(advisor, message) and not kind.may_see(outsider, message)
    assert "Wątkowa" in kind.text(event, message)
    assert "Wątkowa" not in str(kind.email_subject)


def test_after_the_share_ends_the_partner_is_not_told_and_may_not_see(
    collector, person, owner, advisor, partner
) -> None:
    message_post(client=person, acting_user=advisor, text="wcześniej")
    message, event = _emitted(
        collector, lambda: message_post(client=person, acting_user=owner, text="po")
    )
    kind = KINDS[event.kind]
    assert kind.may_see(advisor, message)
    client_unshare(share=person.shares.get(partner=partner), acting_user=owner, reason="koniec")
    assert not kind.may_see(advisor, message)
    assert advisor not in _told(event)


def test_requests_sent_answered_and_overdue_tell_the_right_side(
    collector, person, owner, colleague, advisor, partner
) -> None:
    info, event = _emitted(
        collector,
        lambda: request_send(
            client=person,
            acting_user=owner,
            asked=partner,
            question="?",
            purpose="plan",
            due_on=TODAY + dt.timedelta(days=1),
        ),
    )
    assert event.kind == "messaging.request_sent"
    assert _told(event) == _coordinators(partner)
    # Overdue: both sides, the asker and the asked institution's people.
    with TestCase.captureOnCommitCallbacks(execute=True):
        requests_run_daily(today=TODAY + dt.timedelta(days=2))
    overdue = collector.of("messaging.request_overdue")[-1]
    assert _told(overdue) == {owner, *_coordinators(partner)}
    _r, event = _emitted(
        collector, lambda: request_answer(request=info, acting_user=advisor, answer="Tak")
    )
    assert event.kind == "messaging.request_answered"
    assert _told(event) == {owner}
    assert colleague not in _told(event)


def test_an_announcement_tells_the_chosen_partners_only(
    collector, own, coordinator, partner, outsider
) -> None:
    agreement_between(own, partner, [Scope.JOB_OFFERS])
    other = InstitutionFactory(county=own.county, name="GOPS Pominięty")
    agreement_between(own, other, [Scope.REFERRALS])
    chosen_advisor = member(partner, Role.CLIENT_ADVISOR)
    skipped = member(other, Role.COORDINATOR)
    colleague_of_author = member(own, Role.SOCIAL_WORKER)
    ann, event = _emitted(
        collector,
        lambda: announcement_post(
            acting_user=coordinator,
            title="Targi pracy",
            text="W hali sportowej",
            shown_from=TODAY,
            shown_until=TODAY + dt.timedelta(days=10),
            recipients=[partner],
        ),
    )
    told = _told(event)
    assert chosen_advisor in told
    assert not told & {skipped, outsider, colleague_of_author, coordinator}
    kind = KINDS[event.kind]
    assert kind.may_see(chosen_advisor, ann) and not kind.may_see(skipped, ann)


def test_an_announcement_starting_later_is_told_on_its_first_day(
    collector, own, coordinator, partner
) -> None:
    agreement_between(own, partner, [Scope.JOB_OFFERS])
    with TestCase.captureOnCommitCallbacks(execute=True):
        announcement_post(
            acting_user=coordinator,
            title="Szkolenie",
            text="Od przyszłego tygodnia",
            shown_from=TODAY + dt.timedelta(days=3),
            shown_until=TODAY + dt.timedelta(days=10),
            recipients=[partner],
        )
    assert collector.of("messaging.announcement_posted") == []
    with TestCase.captureOnCommitCallbacks(execute=True):
        requests_run_daily(today=TODAY + dt.timedelta(days=3))
    assert len(collector.of("messaging.announcement_posted")) == 1
    with TestCase.captureOnCommitCallbacks(execute=True):
        requests_run_daily(today=TODAY + dt.timedelta(days=4))
    assert len(collector.of("messaging.announcement_posted")) == 1


def test_a_client_of_another_county_never_reaches_its_people(collector, outsider, foreign) -> None:
    foreign_worker = member(foreign, Role.SOCIAL_WORKER)
    theirs = ClientFactory(owner=foreign, created_by=foreign_worker)
    _m, event = _emitted(
        collector, lambda: message_post(client=theirs, acting_user=foreign_worker, text="x")
    )
    assert _told(event) == set()  # not shared: no other side
