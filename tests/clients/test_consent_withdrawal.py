"""Withdrawing consent asks first, and records when, how and who recorded it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from agreements.models import Scope
from clients.models import Consent, LegalBasis, WithdrawalForm
from clients.services import client_share, consent_record, consent_withdraw

from ..factories import ClientFactory, agreement_between

TODAY = timezone.localdate()


@pytest.fixture
def consent(own, partner, owner):
    agreement_between(own, partner, [Scope.CLIENT_RECORDS])
    person = ClientFactory(owner=own, created_by=owner)
    consent = consent_record(
        client=person,
        acting_user=owner,
        partner=partner,
        basis=LegalBasis.STATUTORY_TASK,
        scopes=[Scope.CLIENT_RECORDS],
        given_on=TODAY - dt.timedelta(days=10),
    )
    client_share(client=person, partner=partner, consent=consent, acting_user=owner)
    return consent


def test_the_withdraw_button_asks_before_anything_changes(client, owner, consent) -> None:
    client.force_login(owner)
    sharing = client.get(reverse("clients:detail", args=[consent.client_id]) + "?tab=sharing")
    url = reverse("clients:consent_withdraw", args=[consent.pk])
    assert f'href="{url}"' in sharing.content.decode()  # a link to the question, not a POST
    response = client.get(url)
    assert response.status_code == 200
    assert set(response.context["form"].fields) == {"withdrawn_on", "withdrawal_form"}
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_confirming_records_date_form_and_who_and_ends_the_sharing(client, owner, consent) -> None:
    client.force_login(owner)
    day = TODAY - dt.timedelta(days=2)
    response = client.post(
        reverse("clients:consent_withdraw", args=[consent.pk]),
        {"withdrawn_on": day.isoformat(), "withdrawal_form": WithdrawalForm.ORAL},
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert (consent.withdrawn_on, consent.withdrawal_form, consent.withdrawn_by) == (
        day,
        WithdrawalForm.ORAL,
        owner,
    )
    assert consent.shares.get().ended_at is not None
    page = client.get(response["Location"]).content.decode()
    assert owner.display_name in page and "ustnie" in page


def test_without_saying_how_nothing_is_withdrawn(client, owner, consent) -> None:
    client.force_login(owner)
    response = client.post(
        reverse("clients:consent_withdraw", args=[consent.pk]),
        {"withdrawn_on": TODAY.isoformat()},
    )
    assert response.status_code == 200
    assert "withdrawal_form" in response.context["form"].errors
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is None


@pytest.mark.parametrize("days", [1, -11])
def test_a_withdrawal_in_the_future_or_before_the_consent_is_refused(owner, consent, days) -> None:
    with pytest.raises(ValidationError) as exc:
        consent_withdraw(
            consent=consent,
            acting_user=owner,
            withdrawn_on=TODAY + dt.timedelta(days=days),
            withdrawal_form=WithdrawalForm.WRITTEN,
        )
    assert "withdrawn_on" in exc.value.message_dict
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is None


def test_an_unknown_form_of_withdrawal_is_refused(owner, consent) -> None:
    with pytest.raises(ValidationError):
        consent_withdraw(consent=consent, acting_user=owner, withdrawal_form="telepathy")
