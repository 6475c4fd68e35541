"""Agreements tell the other parties' coordinators: waiting for acceptance, for the
signed copy, returned, terminated, an annex to approve, the end 30 and 7 days ahead."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from agreements.models import Scope
from agreements.services import (
    agreement_accept,
    agreement_draft,
    agreement_return,
    agreement_send,
    agreement_terminate,
    agreements_run_daily,
    annex_propose,
)
from cooperation.models import Membership, Role
from cooperation.services import membership_update

from ..factories import agreement_between, member
from .kindcheck import assert_no_personal_data, collecting, may_see, the_one, told

TODAY = timezone.localdate()


@pytest.fixture
def cast(own, partner, owner, partner_user, outsider):
    return {
        "ours": member(own, Role.COORDINATOR),
        "our_admin": member(own, Role.INSTITUTION_ADMIN),
        "theirs": member(partner, Role.COORDINATOR),
        "their_admin": member(partner, Role.INSTITUTION_ADMIN),
        # Never told: caseworkers of either side, another county.
        "bystanders": {owner, partner_user, outsider},
    }


def _draft(cast, partner):
    return agreement_draft(
        acting_user=cast["ours"],
        title="Porozumienie o współpracy",
        partners=[partner],
        scopes=[Scope.CLIENT_RECORDS],
        valid_from=TODAY,
        valid_until=None,
    )


def test_sending_tells_the_partners_managers_and_accepting_tells_all_but_the_actor(
    django_capture_on_commit_callbacks, cast, partner
) -> None:
    agreement = _draft(cast, partner)
    with collecting(django_capture_on_commit_callbacks) as events:
        agreement_send(
            agreement=agreement,
            acting_user=cast["ours"],
            signatory_name="Anna Nowak",
            signatory_function="Dyrektor",
        )
    sent = the_one(events, "agreements.sent")
    assert told(sent) == {cast["theirs"], cast["their_admin"]}
    with collecting(django_capture_on_commit_callbacks) as events:
        agreement_accept(
            agreement=agreement,
            acting_user=cast["theirs"],
            signatory_name="Jan Kowalski",
            signatory_function="Dyrektor",
        )
    accepted = the_one(events, "agreements.accepted")
    assert told(accepted) == {cast["ours"], cast["our_admin"], cast["their_admin"]}
    with collecting(django_capture_on_commit_callbacks) as events:
        agreement_return(agreement=agreement, acting_user=cast["their_admin"], comment="Zmiana")
    returned = the_one(events, "agreements.returned")
    assert told(returned) == {cast["ours"], cast["our_admin"]}
    for event in (sent, accepted, returned):
        assert not told(event) & cast["bystanders"]
        assert_no_personal_data(event, "Anna Nowak", "Jan Kowalski")


def test_an_annex_and_a_termination_tell_the_other_party(
    django_capture_on_commit_callbacks, cast, own, partner
) -> None:
    agreement = agreement_between(own, partner, [Scope.CLIENT_RECORDS])
    with collecting(django_capture_on_commit_callbacks) as events:
        annex_propose(
            agreement=agreement,
            acting_user=cast["ours"],
            description="Zmiana zakresu",
            effective_from=TODAY + dt.timedelta(days=5),
            scopes=[Scope.CLIENT_RECORDS, Scope.JOB_OFFERS],
            valid_until=None,
        )
    annex = the_one(events, "agreements.annex")
    assert cast["theirs"] in told(annex) and cast["ours"] not in told(annex)
    assert not {m for m in told(annex) if m.memberships.filter(institution=own).exists()}
    with collecting(django_capture_on_commit_callbacks) as events:
        agreement_terminate(
            agreement=agreement, acting_user=cast["theirs"], reason="Koniec", notice_days=30
        )
    terminated = the_one(events, "agreements.terminated")
    assert cast["ours"] in told(terminated) and cast["theirs"] not in told(terminated)
    assert not told(terminated) & cast["bystanders"]


def test_the_end_ahead_tells_every_party_and_a_member_who_left_may_not_open_it(
    django_capture_on_commit_callbacks, cast, own, partner
) -> None:
    agreement_between(own, partner, valid_until=TODAY + dt.timedelta(days=7))
    with collecting(django_capture_on_commit_callbacks) as events:
        agreements_run_daily(today=TODAY)
    ending = the_one(events, "agreements.ending")
    assert ending.data == {"days": 7, "ends_on": (TODAY + dt.timedelta(days=7)).isoformat()}
    assert {cast["ours"], cast["theirs"], cast["our_admin"]} <= told(ending)
    assert not told(ending) & cast["bystanders"]
    membership = Membership.objects.get(user=cast["theirs"], is_active=True)
    assert may_see(ending, cast["theirs"])
    membership_update(
        membership=membership,
        acting_user=cast["their_admin"],
        role=membership.role,
        is_active=False,
    )
    assert not may_see(ending, cast["theirs"])
    assert cast["theirs"] not in told(ending)
