"""The referral form lists first the services of organisations the client consented
to, and says which need a consent before they can be chosen."""

from __future__ import annotations

from django.urls import reverse

from agreements.models import Scope
from cooperation.models import InstitutionKind, Role

from ..factories import ClientFactory, InstitutionFactory, agreement_between, member
from .conftest import TODAY, consent_to, make_offer


def test_consented_services_come_first_and_the_others_wait_for_a_consent(
    client, own, owner, ngo, offer, covered
) -> None:
    cis = InstitutionFactory(
        short_name="cis-test", name="Centrum Integracji Testowej", kind=InstitutionKind.PES
    )
    cis_offer = make_offer(member(cis, Role.PARTNER_STAFF), name="Warsztaty CIS")
    agreement_between(own, cis, [Scope.REFERRALS])
    person = ClientFactory(owner=own, created_by=owner)
    consent_to(person, owner, cis)  # consent for the CIS only, not for the NGO
    client.force_login(owner)
    response = client.get(reverse("partners:referral_create", args=[person.pk]))
    form = response.context["form"]
    groups = form.fields["service"].choices[1:]
    assert [[pk for pk, _ in options] for _, options in groups] == [[cis_offer.pk], [offer.pk]]
    html = response.content.decode()
    assert html.index("Warsztaty CIS") < html.index(offer.name)
    assert f'value="{offer.pk}" disabled' in html  # cannot be chosen yet
    consent_link = reverse("clients:consent_add", args=[person.pk])
    assert f"{consent_link}?partner={ngo.pk}&amp;purpose=referrals" in html
    assert [o.pk for o in form.needs_consent] == [ngo.pk]


def test_a_service_waiting_for_consent_is_refused_if_posted_anyway(
    client, own, owner, ngo, offer, covered
) -> None:
    person = ClientFactory(owner=own, created_by=owner)
    client.force_login(owner)
    response = client.post(
        reverse("partners:referral_create", args=[person.pk]), {"service": offer.pk}
    )
    assert response.status_code == 200
    assert "service" in response.context["form"].errors
    assert not person.referrals.exists()


def test_once_the_consent_is_recorded_the_service_can_be_chosen(
    client, own, owner, ngo, offer, covered
) -> None:
    person = ClientFactory(owner=own, created_by=owner)
    client.force_login(owner)
    url = reverse("clients:consent_add", args=[person.pk])
    response = client.post(
        url,
        {
            "partner": ngo.pk,
            "basis": "statutory",
            "scopes": [Scope.REFERRALS],
            "given_on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 302
    form = client.get(reverse("partners:referral_create", args=[person.pk])).context["form"]
    assert form.needs_consent == []
