"""The record of processing activities (GDPR art. 30) and the controller's details
(issue 20, 5): one set of declarations behind the clause and the record."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.urls import reverse

from agreements.models import Scope
from cooperation import processing
from cooperation.models import Role

from ..documents_helpers import flat, png_of, text_of
from ..factories import agreement_between, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(own):  # type: ignore[no-untyped-def]
    return member(own, Role.COORDINATOR)


def test_the_record_names_purposes_recipients_retention_and_measures(
    client, own, partner, coordinator
) -> None:
    agreement_between(own, partner, [Scope.CLIENT_RECORDS, Scope.JOINT_PLANS])
    client.force_login(coordinator)
    response = client.get(reverse("cooperation:processing_record_pdf"))
    assert response.status_code == 200
    png_of(response.content, "record-of-processing")
    text = text_of(response.content)
    for part in (
        "REJESTR CZYNNOŚCI PRZETWARZANIA",
        own.name,
        partner.name,
        "szczególna kategoria, art. 9 RODO",
        f"{settings.RETENTION['closed_clients_years']} lat",
        "uwierzytelnianie dwuskładnikowe",
        "BRAK DANYCH W APLIKACJI",
    ):
        assert part in text, part
    for d in processing.declarations():
        assert flat(d.name) in text
    for basis in processing.legal_bases_in_use():
        assert flat(basis) in text


def test_the_record_as_csv_and_ods(client, own, coordinator) -> None:
    client.force_login(coordinator)
    csv = client.get(reverse("cooperation:processing_record_csv")).content.decode("utf-8-sig")
    lines = csv.strip().splitlines()
    assert lines[0].startswith("Cel przetwarzania;")
    assert len(lines) == 1 + len(processing.declarations())
    ods = client.get(reverse("cooperation:processing_record_ods"))
    assert ods["Content-Type"] == "application/vnd.oasis.opendocument.spreadsheet"
    from odf.opendocument import load
    from odf.table import TableRow

    rows = load(io.BytesIO(ods.content)).spreadsheet.getElementsByType(TableRow)
    assert len(rows) == 1 + len(processing.declarations())


def test_only_managers_get_the_record(client, owner) -> None:
    client.force_login(owner)
    assert client.get(reverse("cooperation:processing_record_pdf")).status_code in (403, 404)


def test_the_administrator_fills_in_the_controller_and_dpo(client, own, coordinator) -> None:
    client.force_login(coordinator)
    data = {
        "name": own.name,
        "street": "ul. Długa 1",
        "postal_code": "26-110",
        "city": "Skarżysko-Kamienna",
        "phone": "",
        "email": "",
        "regon": "",
        "nip": "",
        "controller_representative": "Dyrektor Ośrodka",
        "dpo_name": "Łucja Ważna",
        "dpo_email": "iod@mops.example.pl",
        "dpo_phone": "41 000 00 00",
    }
    assert client.post(reverse("cooperation:institution"), data).status_code == 302
    own.refresh_from_db()
    assert own.dpo_email == "iod@mops.example.pl"
    assert processing.controller_gaps(own) == []
    text = text_of(client.get(reverse("cooperation:processing_record_pdf")).content)
    assert "BRAK DANYCH" not in text
    assert "Łucja Ważna" in text
