"""Registering, consent and sharing under an agreement, withdrawal and lapse."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils import timezone

from agreements.models import Scope
from agreements.services import agreement_terminate
from clients.models import AccessRequest, AccessRequestStatus, Client, ClientShare, LegalBasis
from clients.services import (
    HeldByPartner,
    access_request_create,
    client_register,
    client_share,
    consent_record,
    consent_withdraw,
    consents_run_daily,
)
from cooperation.models import AuditAction, AuditEvent, Role
from cooperation.permissions import visible
from cooperation.validators import make_pesel

from ..factories import ClientFactory, agreement_between, member
from ..notifications.kindcheck import collecting, told, words

TODAY = timezone.localdate()


def scan() -> SimpleUploadedFile:
    return SimpleUploadedFile("zgoda.pdf", b"%PDF-1.4 zgoda", content_type="application/pdf")


def _consent(client, owner, partner, **kw):
    data = {
        "basis": LegalBasis.CONSENT,
        "scopes": [Scope.CLIENT_RECORDS, Scope.JOINT_PLANS],
        "given_on": TODAY,
        "scan": scan(),
    }
    data.update(kw)
    return consent_record(client=client, acting_user=owner, partner=partner, **data)


@pytest.fixture
def covered(own, partner):
    return agreement_between(own, partner, [Scope.CLIENT_RECORDS, Scope.JOINT_PLANS])


def test_registering_derives_birth_date_and_sex_from_pesel(owner) -> None:
    pesel = make_pesel(dt.date(2003, 7, 9), 42, female=False)
    client = client_register(
        acting_user=owner, data={"pesel": pesel, "first_name": "Jan", "last_name": "Nowak"}
    )
    assert (client.birth_date, client.sex) == (dt.date(2003, 7, 9), "M")
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_id=str(client.pk), content_type__model="client"
    ).exists()


def test_a_person_without_pesel_needs_a_reason(owner) -> None:
    with pytest.raises(ValidationError) as exc:
        client_register(
            acting_user=owner, data={"pesel": "", "first_name": "Olena", "last_name": "Kowal"}
        )
    assert "pesel" in exc.value.message_dict
    client = client_register(
        acting_user=owner,
        data={
            "pesel": "",
            "no_pesel_reason": "cudzoziemka",
            "document_type": "paszport",
            "document_number": "FA123",
            "first_name": "Olena",
            "last_name": "Kowal",
        },
    )
    assert client.pk and not client.pesel


def test_the_same_pesel_twice_in_one_institution_is_refused(own, owner) -> None:
    existing = ClientFactory(owner=own)
    with pytest.raises(ValidationError) as exc:
        client_register(
            acting_user=owner, data={"pesel": existing.pesel, "first_name": "A", "last_name": "B"}
        )
    assert "pesel" in exc.value.message_dict


def test_a_pesel_held_by_a_partner_offers_an_access_request(own, partner, covered) -> None:
    theirs = ClientFactory(owner=partner)
    advisor = member(own, Role.SOCIAL_WORKER)
    with pytest.raises(HeldByPartner) as exc:
        client_register(
            acting_user=advisor, data={"pesel": theirs.pesel, "first_name": "A", "last_name": "B"}
        )
    assert exc.value.holders == [partner]
    requests = access_request_create(acting_user=advisor, pesel=theirs.pesel, reason="Wspólny plan")
    assert requests[0].client == theirs and requests[0].status == AccessRequestStatus.PENDING


def test_a_pesel_held_without_an_agreement_reveals_nothing(own, foreign, owner) -> None:
    theirs = ClientFactory(owner=foreign)
    client = client_register(
        acting_user=owner, data={"pesel": theirs.pesel, "first_name": "A", "last_name": "B"}
    )
    assert client.owner == own  # a separate record; nothing about the foreign one was said
    with pytest.raises(ValidationError):
        access_request_create(acting_user=owner, pesel=theirs.pesel, reason="?")


def test_sharing_needs_an_agreement_covering_client_records(own, partner, owner) -> None:
    client = ClientFactory(owner=own)
    agreement_between(own, partner, [Scope.JOB_OFFERS])
    consent = _consent(client, owner, partner)
    with pytest.raises(ValidationError) as exc:
        client_share(client=client, partner=partner, consent=consent, acting_user=owner)
    assert "partner" in exc.value.message_dict


def test_sharing_needs_a_consent_for_that_partner(own, partner, owner, covered) -> None:
    client = ClientFactory(owner=own)
    third = member(own, Role.SOCIAL_WORKER)  # noqa: F841 - another user of own
    other_partner = ClientFactory().owner
    agreement_between(own, other_partner, [Scope.CLIENT_RECORDS])
    consent_for_other = _consent(client, owner, other_partner)
    with pytest.raises(ValidationError):
        client_share(client=client, partner=partner, consent=consent_for_other, acting_user=owner)


def test_a_written_consent_needs_its_scan(own, partner, owner) -> None:
    client = ClientFactory(owner=own)
    with pytest.raises(ValidationError) as exc:
        _consent(client, owner, partner, scan=None)
    assert "scan" in exc.value.message_dict
    consent = _consent(client, owner, partner, scan=None, basis=LegalBasis.STATUTORY_TASK)
    assert consent.valid_until > TODAY  # (no .replace(year=...): it fails on 29 February)


def test_only_the_owner_shares(own, partner, owner, covered) -> None:
    client = ClientFactory(owner=own)
    consent = _consent(client, owner, partner)
    with pytest.raises(PermissionDenied):
        client_share(
            client=client,
            partner=partner,
            consent=consent,
            acting_user=member(partner, Role.CLIENT_ADVISOR),
        )


def test_share_then_withdraw_consent_removes_access_at_once(own, partner, owner, covered) -> None:
    client = ClientFactory(owner=own)
    advisor = member(partner, Role.CLIENT_ADVISOR)
    consent = _consent(client, owner, partner)
    client_share(client=client, partner=partner, consent=consent, acting_user=owner)
    assert list(visible(Client, advisor)) == [client]
    with pytest.raises(ValidationError):
        client_share(
            client=client, partner=partner, consent=consent, acting_user=owner
        )  # double submit
    assert consent_withdraw(consent=consent, acting_user=owner) == 1
    assert not visible(Client, advisor).exists()
    assert ClientShare.objects.get().ended_at is not None


def test_losing_the_agreement_ends_the_share_record_too(own, partner, owner, covered) -> None:
    client = ClientFactory(owner=own)
    client_share(
        client=client, partner=partner, consent=_consent(client, owner, partner), acting_user=owner
    )
    agreement_terminate(
        agreement=covered,
        acting_user=member(own, Role.COORDINATOR),
        reason="koniec",
        notice_days=0,
        without_notice=True,
    )
    assert not visible(Client, member(partner, Role.CLIENT_ADVISOR)).exists()
    assert ClientShare.objects.get().ended_at is not None


def test_a_lapsed_consent_revokes_like_a_withdrawn_one(own, partner, owner, covered) -> None:
    client = ClientFactory(owner=own)
    consent = _consent(
        client,
        owner,
        partner,
        given_on=TODAY - dt.timedelta(days=100),
        valid_until=TODAY + dt.timedelta(days=30),
    )
    client_share(client=client, partner=partner, consent=consent, acting_user=owner)
    with collecting(TestCase.captureOnCommitCallbacks) as events:
        assert consents_run_daily(today=TODAY)["reminded"] == 1
    (event,) = events
    assert event.kind == "clients.consent_lapsing" and owner in told(event)
    assert client.last_name not in words(event)  # no personal data in a notice or e-mail
    assert consents_run_daily(today=TODAY)["reminded"] == 0
    assert consents_run_daily(today=TODAY + dt.timedelta(days=31))["lapsed"] == 1
    assert not visible(Client, member(partner, Role.CLIENT_ADVISOR)).exists()


def test_sharing_answers_a_pending_access_request(own, partner, owner, covered) -> None:
    client = ClientFactory(owner=own)
    access_request_create(
        acting_user=member(partner, Role.CLIENT_ADVISOR), pesel=client.pesel, reason="IPD"
    )
    client_share(
        client=client, partner=partner, consent=_consent(client, owner, partner), acting_user=owner
    )
    assert AccessRequest.objects.get().status == AccessRequestStatus.GRANTED
