"""The consent form with its information clause, and the withdrawal form (issue 20, 1–2)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.models import Scope
from clients.models import Consent
from cooperation import processing

from ..documents_helpers import flat, png_of, text_of
from ..factories import ClientFactory, InstitutionFactory, agreement_between

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(own, partner, owner):  # type: ignore[no-untyped-def]
    agreement_between(own, partner, [Scope.CLIENT_RECORDS, Scope.JOINT_PLANS, Scope.SEPI])
    return ClientFactory(
        owner=own, created_by=owner, first_name="Józefa", last_name="Żółkiewska-Gęślą"
    )


def _dpo(institution) -> None:  # type: ignore[no-untyped-def]
    institution.street, institution.postal_code, institution.city = (
        "ul. Długa 1",
        "26-110",
        "Skarżysko",
    )
    institution.controller_representative = "Dyrektor Ośrodka Anna Zięba"
    institution.dpo_name = "Łucja Ważna"
    institution.dpo_email = "iod@mops.example.pl"
    institution.save()


def test_the_form_holds_the_client_the_partners_and_the_clause(
    client, own, partner, owner, record
) -> None:
    _dpo(own)
    client.force_login(owner)
    response = client.get(reverse("clients:consent_form_pdf", args=[record.pk]))
    assert response.status_code == 200
    text = text_of(response.content)
    png_of(response.content, "consent-form")
    for part in (
        "ZGODA NA UDOSTĘPNIANIE DANYCH OSOBOWYCH",
        record.full_name,
        record.pesel,
        partner.name,
        str(Scope.CLIENT_RECORDS.label) if False else "Udostępnianie",  # a purpose, in Polish
        "12 miesięcy od podpisania",
        "odwołać w każdej chwili",
        "Klauzula informacyjna (art. 13 RODO)",
        "Prezesa Urzędu Ochrony Danych Osobowych",
        "Łucja Ważna",
        "iod@mops.example.pl",
        "Dyrektor Ośrodka Anna Zięba",
        "art. 9 ust. 2 lit. a RODO",
    ):
        assert flat(part) in text, part
    assert "BRAK DANYCH" not in text


def test_the_clause_lists_every_legal_basis_in_use(client, owner, record) -> None:
    client.force_login(owner)
    text = text_of(client.get(reverse("clients:consent_form_pdf", args=[record.pk])).content)
    bases = processing.legal_bases_in_use()
    assert len(bases) >= 7  # art. 6 bases, art. 9(2) grounds, SEPI purposes
    missing = [str(b) for b in bases if flat(b) not in text]
    assert not missing


def test_missing_controller_and_dpo_details_are_flagged(client, owner, record) -> None:
    client.force_login(owner)
    text = text_of(client.get(reverse("clients:consent_form_pdf", args=[record.pk])).content)
    assert "BRAK DANYCH W APLIKACJI" in text
    assert "inspektor ochrony danych" in text
    assert "[brak: imię i nazwisko oraz e-mail inspektora ochrony danych]" in text


def test_the_printed_choice_prefills_the_consent_record(client, partner, owner, record) -> None:
    client.force_login(owner)
    page = client.get(
        reverse("clients:consent_print", args=[record.pk]),
        {"choice": [f"{partner.pk}:sepi", f"{partner.pk}:joint_plans"], "explicit": "1"},
    )
    assert page.status_code == 200
    (link,) = [url for _p, _labels, url in page.context["links"]]
    assert f"choice={partner.pk}%3Asepi" in page.context["query"]
    form = client.get(link).context["form"]
    assert sorted(form.initial["scopes"]) == ["joint_plans", "sepi"]
    assert form.initial["partner"] == partner.pk
    assert form.initial["special_category_ground"] == "9_2_a"
    pdf = client.get(
        f"{reverse('clients:consent_form_pdf', args=[record.pk])}?{page.context['query']}"
    )
    text = text_of(pdf.content)
    assert "Zapytania SEPI w imieniu partnera" in text or "SEPI" in text
    assert "Wspólne plany reintegracji" in text


def test_a_purpose_no_agreement_covers_is_not_printed(client, partner, owner, record) -> None:
    client.force_login(owner)
    response = client.get(
        reverse("clients:consent_form_pdf", args=[record.pk]),
        {"choice": [f"{partner.pk}:promotion"]},
    )
    assert response.status_code == 404


def test_the_withdrawal_form_matches_the_consent(client, own, partner, owner, record) -> None:
    today = timezone.localdate()
    consent = Consent.objects.create(
        client=record,
        partner=partner,
        basis="consent",
        scopes=["client_records", "sepi"],
        special_category_ground="9_2_a",
        given_on=today,
        valid_until=today + dt.timedelta(days=365),
        recorded_by=owner,
    )
    client.force_login(owner)
    response = client.get(reverse("clients:consent_withdrawal_pdf", args=[consent.pk]))
    assert response.status_code == 200
    png_of(response.content, "consent-withdrawal")
    text = text_of(response.content)
    for part in (
        "ODWOŁANIE ZGODY",
        record.full_name,
        partner.name,
        own.name,
        "wszystkie cele",
        "wyraźna zgoda na potrzeby zdrowotne",
        "BRAK DANYCH W APLIKACJI",
    ):
        assert part in text, part


def test_only_the_owner_prints_the_forms(client, partner_user, record) -> None:
    other = InstitutionFactory()
    assert other
    client.force_login(partner_user)
    assert client.get(reverse("clients:consent_form_pdf", args=[record.pk])).status_code in (
        403,
        404,
    )
    assert client.get(reverse("clients:consent_print", args=[record.pk])).status_code in (403, 404)


def test_the_sharing_tab_links_to_the_forms(client, owner, record) -> None:
    client.force_login(owner)
    html = client.get(
        reverse("clients:detail", args=[record.pk]), {"tab": "sharing"}
    ).content.decode()
    assert reverse("clients:consent_print", args=[record.pk]) in html
