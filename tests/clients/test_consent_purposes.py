"""A consent is given to one partner for purposes its agreement in force covers;
an identical consent that is still valid is refused with a link to it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from agreements.models import Scope
from clients.models import Consent, LegalBasis
from clients.services import ConsentAlreadyRecorded, consent_record, consent_withdraw
from cooperation.models import InstitutionKind

from ..factories import ClientFactory, InstitutionFactory, agreement_between

TODAY = timezone.localdate()


@pytest.fixture
def ngo(db):
    return InstitutionFactory(
        short_name="ngo-zgody", name="Stowarzyszenie Zgoda", kind=InstitutionKind.NGO
    )


@pytest.fixture
def agreements(own, partner, ngo):
    agreement_between(own, partner, [Scope.CLIENT_RECORDS, Scope.SEPI])
    agreement_between(own, ngo, [Scope.REFERRALS])


@pytest.fixture
def person(own, owner):
    return ClientFactory(owner=own, created_by=owner)


def _post(client, person, partner, scopes, **extra):
    data = {
        "partner": partner.pk,
        "basis": LegalBasis.STATUTORY_TASK,
        "scopes": scopes,
        "given_on": TODAY.isoformat(),
        "share_now": "1",
        **extra,
    }
    return client.post(reverse("clients:consent_add", args=[person.pk]), data)


def test_the_form_offers_each_partner_with_the_purposes_its_agreement_covers(
    client, owner, person, partner, ngo, agreements
) -> None:
    client.force_login(owner)
    response = client.get(reverse("clients:consent_add", args=[person.pk]))
    form = response.context["form"]
    assert set(form.fields["partner"].queryset) == {partner, ngo}
    assert form.purposes[ngo.pk] == [Scope.REFERRALS]
    assert form.purposes[partner.pk] == [Scope.CLIENT_RECORDS, Scope.SEPI]
    html = response.content.decode()
    assert f"{ngo.name} — {Scope.REFERRALS.label}" in html
    assert "job_offers" not in html  # a client does not consent to job offers


def test_a_consent_to_the_ngos_referrals_is_recorded_through_the_form(
    client, owner, person, ngo, agreements
) -> None:
    client.force_login(owner)
    response = _post(client, person, ngo, [Scope.REFERRALS])
    assert response.status_code == 302
    consent = Consent.objects.get(client=person)
    assert (consent.partner, consent.scopes) == (ngo, [Scope.REFERRALS])
    assert not person.shares.exists()  # nothing to share: the record is not covered


def test_a_purpose_the_agreement_does_not_cover_is_refused_on_the_form(
    client, owner, person, ngo, agreements
) -> None:
    client.force_login(owner)
    response = _post(client, person, ngo, [Scope.REFERRALS, Scope.CLIENT_RECORDS])
    assert response.status_code == 200
    assert "scopes" in response.context["form"].errors
    assert not Consent.objects.exists()


def test_the_referral_link_preselects_the_partner_and_the_purpose(
    client, owner, person, partner, agreements
) -> None:
    client.force_login(owner)
    url = reverse("clients:consent_add", args=[person.pk])
    form = client.get(f"{url}?partner={partner.pk}&purpose=sepi").context["form"]
    assert (form.initial["partner"], form.initial["scopes"]) == (partner.pk, ["sepi"])


@pytest.mark.parametrize("value", ["²", "٣", "1e3", ""])
def test_a_partner_parameter_that_is_not_an_id_is_ignored(
    client, owner, person, agreements, value
) -> None:
    client.force_login(owner)
    url = reverse("clients:consent_add", args=[person.pk])
    response = client.get(f"{url}?partner={value}&purpose=sepi")
    assert response.status_code == 200
    assert "partner" not in response.context["form"].initial


def test_an_identical_valid_consent_is_refused_with_a_link_to_it(
    client, owner, person, ngo, agreements
) -> None:
    client.force_login(owner)
    _post(client, person, ngo, [Scope.REFERRALS])
    first = Consent.objects.get()
    response = _post(client, person, ngo, [Scope.REFERRALS])
    assert response.status_code == 200
    assert Consent.objects.count() == 1
    link = reverse("clients:detail", args=[person.pk]) + f"?tab=sharing#consent-{first.pk}"
    assert f'href="{link}"' in response.content.decode()


def test_the_service_refuses_the_same_consent_but_not_another_one(
    owner, person, partner, agreements
) -> None:
    data = {
        "client": person,
        "acting_user": owner,
        "partner": partner,
        "basis": LegalBasis.STATUTORY_TASK,
        "given_on": TODAY,
    }
    first = consent_record(**data, scopes=[Scope.SEPI, Scope.CLIENT_RECORDS])
    with pytest.raises(ConsentAlreadyRecorded) as exc:
        consent_record(**data, scopes=[Scope.CLIENT_RECORDS, Scope.SEPI])
    assert exc.value.existing == first
    consent_record(**data, scopes=[Scope.SEPI])  # other purposes: another consent
    consent_withdraw(consent=first, acting_user=owner)
    consent_record(**data, scopes=[Scope.SEPI, Scope.CLIENT_RECORDS])  # the old one is gone


def test_a_purpose_that_is_not_one_is_refused(owner, person, partner) -> None:
    with pytest.raises(ValidationError):
        consent_record(
            client=person,
            acting_user=owner,
            partner=partner,
            basis=LegalBasis.STATUTORY_TASK,
            scopes=[Scope.JOB_OFFERS],
            given_on=TODAY,
        )
