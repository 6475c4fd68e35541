"""Every transition of the agreement workflow, valid and invalid, and its effect on access."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase
from django.utils import timezone

from agreements.models import AgreementEvent, AgreementTerms, EventKind, Scope, Status
from agreements.scope import agreement_covers, partners_covering
from agreements.selectors import terms_on
from agreements.services import (
    agreement_accept,
    agreement_draft,
    agreement_return,
    agreement_send,
    agreement_terminate,
    agreement_update,
    agreements_run_daily,
    annex_approve,
    annex_propose,
)
from clients.models import Client
from cooperation.models import Role
from cooperation.permissions import VIEW, visible
from cooperation.services import object_share

from ..factories import ClientFactory, agreement_between, member, record_signed_copy
from ..notifications.kindcheck import collecting, the_one, told

TODAY = timezone.localdate()


@pytest.fixture
def partner_coordinator(partner):
    return member(partner, Role.COORDINATOR, username="partner-coordinator")


def _draft(coordinator, partner, **kw):
    data = {
        "title": "Porozumienie o współpracy MOPS–PUP",
        "partners": [partner],
        "scopes": [Scope.CLIENT_RECORDS, Scope.JOINT_PLANS],
        "valid_from": TODAY,
    }
    data.update(kw)
    return agreement_draft(acting_user=coordinator, **data)


def _send(agreement, coordinator):
    return agreement_send(
        agreement=agreement,
        acting_user=coordinator,
        signatory_name="Anna Nowak",
        signatory_function="Dyrektor",
    )


def _accept(agreement, coordinator):
    return agreement_accept(
        agreement=agreement,
        acting_user=coordinator,
        signatory_name="Jan Kowalski",
        signatory_function="Dyrektor",
    )


def test_a_draft_gets_a_number_per_institution_and_year(coordinator, partner) -> None:
    first = _draft(coordinator, partner)
    second = _draft(coordinator, partner)
    assert first.number == f"POR/1/{TODAY.year}/MOPS-TE"
    assert second.number == f"POR/2/{TODAY.year}/MOPS-TE"
    assert first.status == Status.DRAFT
    assert "§ 1" in first.body and partner.name in first.body


def test_only_coordinators_and_admins_draft(owner, partner) -> None:
    with pytest.raises(PermissionDenied):
        _draft(owner, partner)


def test_a_partner_outside_the_network_is_refused(coordinator, foreign) -> None:
    with pytest.raises(ValidationError) as exc:
        _draft(coordinator, foreign)
    assert "partners" in exc.value.message_dict


def test_dates_upside_down_are_refused(coordinator, partner) -> None:
    with pytest.raises(ValidationError) as exc:
        _draft(coordinator, partner, valid_from=TODAY, valid_until=TODAY - dt.timedelta(days=1))
    assert "valid_until" in exc.value.message_dict


def test_an_empty_scope_is_refused(coordinator, partner) -> None:
    with pytest.raises(ValidationError):
        _draft(coordinator, partner, scopes=[])


def test_sent_then_accepted_by_all_then_signed_becomes_active_today(
    coordinator, partner, partner_coordinator
) -> None:
    agreement = _send(_draft(coordinator, partner), coordinator)
    assert agreement.status == Status.SENT
    assert not agreement_covers(coordinator_inst(coordinator), partner, Scope.CLIENT_RECORDS)
    with TestCase.captureOnCommitCallbacks(execute=True):
        agreement = _accept(agreement, partner_coordinator)
    assert agreement.status == Status.ACCEPTED
    assert not agreement_covers(agreement.initiator, partner, Scope.CLIENT_RECORDS)
    with collecting(TestCase.captureOnCommitCallbacks) as events:
        record_signed_copy(agreement, partner_coordinator)
    agreement.refresh_from_db()
    assert agreement.status == Status.ACTIVE
    assert agreement_covers(agreement.initiator, partner, Scope.CLIENT_RECORDS)
    assert not agreement_covers(agreement.initiator, partner, Scope.SEPI)
    party = agreement.parties.get(institution=partner)
    assert (party.accepted_by, party.signatory_name) == (partner_coordinator, "Jan Kowalski")
    signed = the_one(events, "agreements.signed")  # the parties are told it is signed
    assert coordinator in told(signed) and partner_coordinator not in told(signed)


def coordinator_inst(user):
    return user.memberships.get(is_active=True).institution


def test_accepted_before_its_start_date_it_waits_as_signed(
    coordinator, partner, partner_coordinator
) -> None:
    agreement = _send(
        _draft(coordinator, partner, valid_from=TODAY + dt.timedelta(days=5)), coordinator
    )
    agreement = _accept(agreement, partner_coordinator)
    record_signed_copy(agreement, partner_coordinator)
    agreement.refresh_from_db()
    assert agreement.status == Status.SIGNED
    assert not agreement_covers(agreement.initiator, partner, Scope.CLIENT_RECORDS)
    agreements_run_daily(today=TODAY + dt.timedelta(days=5))
    agreement.refresh_from_db()
    assert agreement.status == Status.ACTIVE
    assert agreement_covers(
        agreement.initiator, partner, Scope.CLIENT_RECORDS, on=TODAY + dt.timedelta(days=5)
    )


def test_accepting_twice_is_refused(coordinator, partner, partner_coordinator) -> None:
    agreement = _send(
        _draft(coordinator, partner, valid_from=TODAY + dt.timedelta(days=1)), coordinator
    )
    _accept(agreement, partner_coordinator)
    with pytest.raises(ValidationError):
        _accept(agreement, partner_coordinator)


def test_accepting_a_draft_is_refused(coordinator, partner, partner_coordinator) -> None:
    with pytest.raises(ValidationError):
        _accept(_draft(coordinator, partner), partner_coordinator)


def test_an_unrelated_coordinator_cannot_accept(coordinator, partner, outsider) -> None:
    agreement = _send(_draft(coordinator, partner), coordinator)
    with pytest.raises(PermissionDenied):
        _accept(agreement, outsider)


def test_returned_with_a_comment_goes_back_to_draft(
    coordinator, partner, partner_coordinator
) -> None:
    agreement = _send(_draft(coordinator, partner), coordinator)
    with pytest.raises(ValidationError):
        agreement_return(agreement=agreement, acting_user=partner_coordinator, comment=" ")
    agreement = agreement_return(
        agreement=agreement, acting_user=partner_coordinator, comment="Proszę dodać SEPI"
    )
    assert agreement.status == Status.DRAFT
    assert not agreement.parties.filter(accepted_at__isnull=False).exists()
    assert AgreementEvent.objects.filter(
        agreement=agreement, kind=EventKind.RETURNED, comment="Proszę dodać SEPI"
    ).exists()


def test_only_the_drafting_institution_edits_and_only_a_draft(
    coordinator, partner, partner_coordinator
) -> None:
    agreement = _draft(coordinator, partner)
    data = {
        "title": "Nowy tytuł",
        "scopes": [Scope.SEPI],
        "valid_from": TODAY,
        "valid_until": None,
        "body": "Treść",
    }
    with pytest.raises(PermissionDenied):
        agreement_update(agreement=agreement, acting_user=partner_coordinator, **data)
    agreement_update(agreement=agreement, acting_user=coordinator, **data)
    assert agreement.scopes == [Scope.SEPI]
    _send(agreement, coordinator)
    with pytest.raises(ValidationError):
        agreement_update(agreement=agreement, acting_user=coordinator, **data)


def test_termination_at_once_withdraws_client_access(own, partner, owner) -> None:
    agreement = agreement_between(own, partner, [Scope.CLIENT_RECORDS])
    client = ClientFactory(owner=own)
    object_share(obj=client, institution=partner, actions=[VIEW], acting_user=owner, reason="zgoda")
    advisor = member(partner, Role.CLIENT_ADVISOR)
    assert visible(Client, advisor).count() == 1

    terminator = member(partner, Role.COORDINATOR)
    agreement = agreement_terminate(
        agreement=agreement,
        acting_user=terminator,
        reason="Koniec projektu",
        notice_days=0,
        without_notice=True,
    )
    assert agreement.status == Status.TERMINATED
    assert not agreement_covers(own, partner, Scope.CLIENT_RECORDS)
    assert visible(Client, advisor).count() == 0


def test_termination_with_notice_keeps_access_until_the_date(own, partner, owner) -> None:
    agreement = agreement_between(own, partner, [Scope.CLIENT_RECORDS])
    client = ClientFactory(owner=own)
    object_share(obj=client, institution=partner, actions=[VIEW], acting_user=owner, reason="zgoda")
    agreement = agreement_terminate(
        agreement=agreement,
        acting_user=member(own, Role.COORDINATOR),
        reason="Zmiana zasad",
        notice_days=30,
    )
    assert agreement.status == Status.ACTIVE
    assert agreement_covers(own, partner, Scope.CLIENT_RECORDS)
    assert not agreement_covers(
        own, partner, Scope.CLIENT_RECORDS, on=TODAY + dt.timedelta(days=30)
    )
    agreements_run_daily(today=TODAY + dt.timedelta(days=30))
    agreement.refresh_from_db()
    assert agreement.status == Status.TERMINATED
    assert visible(Client, member(partner, Role.CLIENT_ADVISOR)).count() == 0


def test_termination_needs_a_reason_and_an_active_agreement(own, partner) -> None:
    draft = agreement_between(own, partner, status=Status.DRAFT)
    coordinator = member(own, Role.COORDINATOR)
    with pytest.raises(ValidationError):
        agreement_terminate(
            agreement=draft, acting_user=coordinator, reason="x", notice_days=0, without_notice=True
        )
    active = agreement_between(own, partner)
    with pytest.raises(ValidationError):
        agreement_terminate(
            agreement=active, acting_user=coordinator, reason="", notice_days=0, without_notice=True
        )


def test_expiry_by_date_withdraws_access_unless_another_agreement_covers(
    own, partner, owner
) -> None:
    ending = agreement_between(own, partner, [Scope.CLIENT_RECORDS], valid_until=TODAY)
    client = ClientFactory(owner=own)
    object_share(obj=client, institution=partner, actions=[VIEW], acting_user=owner, reason="zgoda")
    advisor = member(partner, Role.CLIENT_ADVISOR)
    agreements_run_daily(today=TODAY + dt.timedelta(days=1))
    ending.refresh_from_db()
    assert ending.status == Status.EXPIRED
    assert visible(Client, advisor).count() == 0

    # With a second agreement still covering the pair, expiry of the first changes nothing.
    agreement_between(own, partner, [Scope.CLIENT_RECORDS])
    second_ending = agreement_between(own, partner, [Scope.CLIENT_RECORDS], valid_until=TODAY)
    object_share(obj=client, institution=partner, actions=[VIEW], acting_user=owner, reason="zgoda")
    agreements_run_daily(today=TODAY + dt.timedelta(days=1))
    second_ending.refresh_from_db()
    assert second_ending.status == Status.EXPIRED
    assert visible(Client, advisor).count() == 1


def test_an_annex_narrowing_the_scope_withdraws_access_when_it_applies(own, partner, owner) -> None:
    agreement = agreement_between(own, partner, [Scope.CLIENT_RECORDS, Scope.JOB_OFFERS])
    client = ClientFactory(owner=own)
    object_share(obj=client, institution=partner, actions=[VIEW], acting_user=owner, reason="zgoda")
    own_coordinator, partner_coordinator = (
        member(own, Role.COORDINATOR),
        member(partner, Role.COORDINATOR),
    )
    annex = annex_propose(
        agreement=agreement,
        acting_user=own_coordinator,
        description="Bez udostępniania danych",
        effective_from=TODAY,
        scopes=[Scope.JOB_OFFERS],
        valid_until=None,
    )
    assert not annex.applied and agreement_covers(own, partner, Scope.CLIENT_RECORDS)
    annex_approve(annex=annex, acting_user=partner_coordinator)
    annex.refresh_from_db()
    assert annex.applied
    assert not agreement_covers(own, partner, Scope.CLIENT_RECORDS)
    assert agreement_covers(own, partner, Scope.JOB_OFFERS)
    assert visible(Client, member(partner, Role.CLIENT_ADVISOR)).count() == 0
    with pytest.raises(ValidationError):
        annex_approve(annex=annex, acting_user=partner_coordinator)


def test_the_terms_in_force_on_any_date_are_kept(own, partner) -> None:
    agreement = agreement_between(
        own, partner, [Scope.CLIENT_RECORDS], valid_from=TODAY - dt.timedelta(days=100)
    )
    annex = annex_propose(
        agreement=agreement,
        acting_user=member(own, Role.COORDINATOR),
        description="Dodajemy SEPI",
        effective_from=TODAY + dt.timedelta(days=10),
        scopes=[Scope.CLIENT_RECORDS, Scope.SEPI],
        valid_until=None,
    )
    annex_approve(annex=annex, acting_user=member(partner, Role.COORDINATOR))
    assert not agreement_covers(own, partner, Scope.SEPI)  # not yet in force
    agreements_run_daily(today=TODAY + dt.timedelta(days=10))
    assert terms_on(agreement, TODAY - dt.timedelta(days=50)).scopes == [Scope.CLIENT_RECORDS]
    assert terms_on(agreement, TODAY + dt.timedelta(days=10)).scopes == [
        Scope.CLIENT_RECORDS,
        Scope.SEPI,
    ]
    assert terms_on(agreement, TODAY - dt.timedelta(days=101)) is None
    assert AgreementTerms.objects.filter(agreement=agreement).count() == 2


def test_reminders_go_30_and_7_days_before_the_end_once(own, partner) -> None:
    agreement_between(own, partner, valid_until=TODAY + dt.timedelta(days=30))
    with collecting(TestCase.captureOnCommitCallbacks) as events:
        assert agreements_run_daily(today=TODAY)["reminders"] == 1
    end = (TODAY + dt.timedelta(days=30)).isoformat()
    assert the_one(events, "agreements.ending").data == {"days": 30, "ends_on": end}
    with collecting(TestCase.captureOnCommitCallbacks) as events:
        assert agreements_run_daily(today=TODAY)["reminders"] == 0
        assert agreements_run_daily(today=TODAY + dt.timedelta(days=23))["reminders"] == 1
    assert the_one(events, "agreements.ending").data == {"days": 7, "ends_on": end}


def test_partners_covering_lists_each_partner_once(own, partner) -> None:
    agreement_between(own, partner, [Scope.CLIENT_RECORDS, Scope.SEPI])
    agreement_between(own, partner, [Scope.CLIENT_RECORDS])
    assert partners_covering(own, Scope.CLIENT_RECORDS) == {partner.pk}
    assert partners_covering(own, Scope.PROMOTION) == set()


def test_the_scope_check_is_one_query(django_assert_num_queries, own, partner) -> None:
    agreement_between(own, partner)
    with django_assert_num_queries(1):
        agreement_covers(own, partner, Scope.CLIENT_RECORDS)
