"""Gate 3: accepted is not signed. Data flows only once the signed document is
recorded, with its date and who signed for each party; electronic signatures
are read from the file itself."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from agreements.models import AgreementTerms, EventKind, Scope, SignedCopy, SignedForm, Status
from agreements.scope import agreement_covers, in_force, partners_covering
from agreements.services import Signatory, agreement_record_signed_copy, agreement_return
from cooperation.models import Role

from ..factories import agreement_between, member, record_signed_copy
from .pades import plain_pdf, sign_pdf, xades


@pytest.fixture
def accepted(own, partner):  # type: ignore[no-untyped-def]
    return agreement_between(
        own, partner, [Scope.CLIENT_RECORDS, Scope.SEPI, Scope.REFERRALS], status=Status.ACCEPTED
    )


@pytest.fixture
def partner_coordinator(partner):  # type: ignore[no-untyped-def]
    return member(partner, Role.COORDINATOR, username="partner-coordinator")


def _signatories(agreement, **names: str) -> dict[int, Signatory]:  # type: ignore[no-untyped-def]
    parties = list(agreement.parties.order_by("pk"))
    defaults = ["Anna Nowak", "Jan Kowalski"]
    return {
        p.pk: Signatory(
            names.get(f"n{i}", defaults[i]), "Dyrektor", "z upoważnienia Starosty Powiatowego"
        )
        for i, p in enumerate(parties)
    }


def _upload(content: bytes, name: str = "podpisane.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_accepted_by_all_waits_for_the_signed_copy_and_nothing_flows(
    accepted, own, partner
) -> None:
    assert accepted.status == Status.ACCEPTED
    assert accepted.get_status_display() == "zaakceptowane — czeka na podpisany egzemplarz"
    for scope in (Scope.CLIENT_RECORDS, Scope.SEPI, Scope.REFERRALS):
        assert not agreement_covers(own, partner, scope)
        assert partners_covering(own, scope) == set()
    assert not in_force().filter(pk=accepted.pk).exists()
    assert not AgreementTerms.objects.filter(agreement=accepted).exists()
    assert accepted.events.filter(kind=EventKind.ALL_ACCEPTED).exists()


def test_recording_a_scan_signs_it_and_data_flows(accepted, own, partner) -> None:
    copy = record_signed_copy(accepted, member(partner, Role.COORDINATOR))
    accepted.refresh_from_db()
    assert accepted.status == Status.ACTIVE
    assert copy.form == SignedForm.SCAN and copy.signatures == []
    assert copy.signed_on == timezone.localdate()
    assert agreement_covers(own, partner, Scope.CLIENT_RECORDS)
    assert AgreementTerms.objects.get(agreement=accepted).notice_days == 30
    assert list(accepted.events.values_list("kind", flat=True))[-3:] == [
        EventKind.SIGNED_COPY,
        EventKind.SIGNED,
        EventKind.ACTIVATED,
    ]


def test_a_copy_signed_before_the_start_date_waits_as_signed(own, partner) -> None:
    agreement = agreement_between(
        own, partner, valid_from=timezone.localdate() + dt.timedelta(days=3)
    )
    assert agreement.status == Status.SIGNED
    assert not agreement_covers(own, partner, Scope.CLIENT_RECORDS)


def test_each_party_needs_name_function_and_authority(accepted, partner_coordinator) -> None:
    signatories = _signatories(accepted)
    first = next(iter(signatories))
    signatories[first] = Signatory("", " ", "")
    with pytest.raises(ValidationError) as exc:
        record_signed_copy(accepted, partner_coordinator, signatories=signatories)
    errors = exc.value.message_dict
    assert errors[f"party_{first}_name"] == ["Podaj imię i nazwisko osoby, która podpisała."]
    assert errors[f"party_{first}_function"] == ["Podaj jej funkcję."]
    assert errors[f"party_{first}_authority"] == ["Podaj podstawę jej umocowania do podpisu."]
    accepted.refresh_from_db()
    assert accepted.status == Status.ACCEPTED and not SignedCopy.objects.exists()


def test_the_date_is_required_for_a_scan_and_not_in_the_future(
    accepted, partner_coordinator
) -> None:
    with pytest.raises(ValidationError) as exc:
        record_signed_copy(accepted, partner_coordinator, signed_on=None)
    assert exc.value.message_dict["signed_on"] == ["Podaj datę podpisania."]
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        record_signed_copy(accepted, partner_coordinator, signed_on=tomorrow)
    assert exc.value.message_dict["signed_on"] == ["Data podpisania nie może być w przyszłości."]


def test_a_file_that_is_not_a_document_is_refused(accepted, partner_coordinator) -> None:
    with pytest.raises(ValidationError) as exc:
        record_signed_copy(
            accepted, partner_coordinator, file=_upload(b"#!/bin/sh\necho", "skan.pdf")
        )
    assert "file" in exc.value.message_dict


def test_only_once_accepted_by_all(own, partner, partner_coordinator) -> None:
    sent = agreement_between(own, partner, status=Status.SENT)
    with pytest.raises(ValidationError) as exc:
        record_signed_copy(sent, member(own, Role.COORDINATOR))
    assert "wszystkie strony zaakceptują" in exc.value.messages[0]


def test_only_a_party_coordinator_records(accepted, own, outsider) -> None:
    with pytest.raises(PermissionDenied):
        record_signed_copy(accepted, outsider)
    with pytest.raises(PermissionDenied):
        record_signed_copy(accepted, member(own, Role.SOCIAL_WORKER))


def test_an_accepted_agreement_can_still_go_back_to_draft(accepted, partner_coordinator) -> None:
    agreement = agreement_return(
        agreement=accepted, acting_user=partner_coordinator, comment="Zmiana podpisującego"
    )
    assert agreement.status == Status.DRAFT


# PAdES: a real signed PDF, made with pyHanko in the test.


def test_the_signer_and_time_are_read_from_a_pades_signature(accepted, partner_coordinator) -> None:
    before = timezone.now()
    pdf = sign_pdf(plain_pdf(), "Anna Nowak", "Jan Kowalski")
    copy = record_signed_copy(
        accepted,
        partner_coordinator,
        file=_upload(pdf),
        signed_on=None,  # read from the signatures
        signatories=_signatories(accepted, n0="NOWAK Anna", n1="jan kowalski"),
    )
    assert copy.form == SignedForm.PADES
    assert [s["signer"] for s in copy.signatures] == ["Anna Nowak", "Jan Kowalski"]
    assert all(s["intact"] for s in copy.signatures)
    signed_at = dt.datetime.fromisoformat(copy.signatures[1]["signed_at"])
    assert before - dt.timedelta(seconds=5) <= signed_at <= timezone.now()
    assert copy.signed_on == timezone.localdate(signed_at)
    accepted.refresh_from_db()
    assert accepted.status == Status.ACTIVE


def test_a_typed_name_no_signature_bears_is_refused_next_to_it(
    accepted, partner_coordinator
) -> None:
    pdf = sign_pdf(plain_pdf(), "Anna Nowak", "Jan Kowalski")
    signatories = _signatories(accepted, n1="Zofia Łęcka")
    with pytest.raises(ValidationError) as exc:
        record_signed_copy(
            accepted, partner_coordinator, file=_upload(pdf), signatories=signatories
        )
    second = list(signatories)[1]
    assert exc.value.message_dict == {
        f"party_{second}_name": [
            "Żaden podpis elektroniczny w pliku nie nosi tego nazwiska. "
            "Podpisali: Anna Nowak, Jan Kowalski."
        ]
    }


def test_a_date_other_than_the_signatures_is_refused(accepted, partner_coordinator) -> None:
    pdf = sign_pdf(plain_pdf(), "Anna Nowak", "Jan Kowalski")
    with pytest.raises(ValidationError) as exc:
        record_signed_copy(
            accepted,
            partner_coordinator,
            file=_upload(pdf),
            signed_on=timezone.localdate() - dt.timedelta(days=2),
        )
    assert exc.value.message_dict["signed_on"][0].startswith(
        "Ostatni podpis elektroniczny w pliku złożono"
    )


def test_a_pdf_changed_after_signing_is_refused(accepted, partner_coordinator) -> None:
    pdf = bytearray(sign_pdf(plain_pdf(), "Anna Nowak", "Jan Kowalski"))
    at = pdf.find(b"WeasyPrint")
    pdf[at : at + 10] = b"WeasyPrinT"
    with pytest.raises(ValidationError) as exc:
        record_signed_copy(accepted, partner_coordinator, file=_upload(bytes(pdf)))
    assert "naruszony" in exc.value.message_dict["file"][0]


def test_a_xades_file_is_recorded_with_its_declared_signer(accepted, partner_coordinator) -> None:
    now = timezone.now().isoformat()
    copy = record_signed_copy(
        accepted,
        partner_coordinator,
        file=_upload(xades("Anna Nowak", now), "porozumienie.xml"),
        signed_on=timezone.localdate(),
        signatories=_signatories(accepted, n1="Anna Nowak"),
    )
    assert copy.form == SignedForm.XADES
    assert copy.signatures[0]["signer"] == "Anna Nowak"
    assert copy.signatures[0]["intact"] is None  # not verified, and the page says so


def test_the_page_shows_the_signatures_read(client, accepted, partner_coordinator) -> None:
    pdf = sign_pdf(plain_pdf(), "Anna Nowak", "Jan Kowalski")
    record_signed_copy(accepted, partner_coordinator, file=_upload(pdf), signed_on=None)
    client.force_login(partner_coordinator)
    body = client.get(accepted.get_absolute_url()).content.decode()
    assert "Podpisy elektroniczne w pliku" in body
    assert "nienaruszony" in body and "zgodne z podpisem elektronicznym" in body
    assert "statut" in body


# The form


def _form_data(agreement, **extra: object) -> dict[str, object]:  # type: ignore[no-untyped-def]
    data: dict[str, object] = {"signed_on": timezone.localdate().isoformat(), "note": ""}
    for p, s in _signatories(agreement).items():
        data.update(
            {f"party_{p}_name": s.name, f"party_{p}_function": s.function}
            | {f"party_{p}_authority": s.authority}
        )
    data.update(extra)
    return data


def test_the_form_records_the_copy(client, accepted, partner_coordinator) -> None:
    client.force_login(partner_coordinator)
    url = reverse("agreements:signed_copy", args=[accepted.pk])
    page = client.get(url).content.decode()
    assert "Podpisano w imieniu" in page and 'name="form_token"' in page
    response = client.post(url, _form_data(accepted, file=_upload(b"%PDF-1.4 skan")))
    assert response.status_code == 302 and response["Location"] == accepted.get_absolute_url()
    accepted.refresh_from_db()
    assert accepted.status == Status.ACTIVE


def test_the_form_puts_errors_next_to_the_fields_in_polish(
    client, accepted, partner_coordinator
) -> None:
    client.force_login(partner_coordinator)
    party = accepted.parties.order_by("pk").first()
    response = client.post(
        reverse("agreements:signed_copy", args=[accepted.pk]),
        _form_data(
            accepted,
            file=_upload(b"%PDF-1.4 skan"),
            signed_on="",
            **{f"party_{party.pk}_authority": ""},
        ),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_party_{party.pk}_authority_error"' in body
    assert "Podaj podstawę jej umocowania do podpisu." in body
    # The service's errors (here: a scan needs its date) land next to their fields too.
    response = client.post(
        reverse("agreements:signed_copy", args=[accepted.pk]),
        _form_data(accepted, file=_upload(b"%PDF-1.4 skan"), signed_on=""),
    )
    body = response.content.decode()
    assert 'id="id_signed_on_error"' in body and "Podaj datę podpisania." in body


def test_a_double_submitted_form_records_one_copy(client, accepted, partner_coordinator) -> None:
    client.force_login(partner_coordinator)
    url = reverse("agreements:signed_copy", args=[accepted.pk])
    first = client.post(url, _form_data(accepted, file=_upload(b"%PDF-1.4 a"), form_token="t1"))
    second = client.post(url, _form_data(accepted, file=_upload(b"%PDF-1.4 a"), form_token="t1"))
    assert first.status_code == second.status_code == 302
    assert SignedCopy.objects.count() == 1
    assert accepted.attachments.count() == 1


def test_another_institution_gets_404(client, accepted, outsider) -> None:
    client.force_login(outsider)
    url = reverse("agreements:signed_copy", args=[accepted.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, _form_data(accepted, file=_upload(b"%PDF-1.4"))).status_code == 404


def test_a_caseworker_of_a_party_gets_403(client, accepted, owner) -> None:
    client.force_login(owner)
    assert client.get(reverse("agreements:signed_copy", args=[accepted.pk])).status_code == 403


# Agreements signed before the rule


def test_the_migration_keeps_old_signed_agreements_flowing_and_says_so(
    own, partner, client
) -> None:
    import importlib

    from django.apps import apps

    agreement = agreement_between(own, partner, status=Status.ACCEPTED)
    agreement.status = Status.ACTIVE  # as the old workflow left it
    agreement.save()
    AgreementTerms.objects.create(agreement=agreement, effective_from=agreement.valid_from)
    migration = importlib.import_module("agreements.migrations.0005_signing_legacy_signed_copies")
    migration.forwards(apps, None)
    copy = SignedCopy.objects.get(agreement=agreement)
    assert copy.form == SignedForm.LEGACY and copy.attachment is None
    assert "przed wprowadzeniem wymogu" in copy.note
    assert agreement_covers(own, partner, Scope.CLIENT_RECORDS)
    coordinator = member(own, Role.COORDINATOR)
    client.force_login(coordinator)
    body = client.get(agreement.get_absolute_url()).content.decode()
    assert "przed wymaganiem podpisanego dokumentu" in body
    # Recording the copy later replaces the placeholder and keeps the agreement in force.
    record_signed_copy(agreement, coordinator)
    assert SignedCopy.objects.get(agreement=agreement).form == SignedForm.SCAN
    agreement.refresh_from_db()
    assert agreement.status == Status.ACTIVE


def test_reading_a_pdf_without_signatures_finds_none() -> None:
    from agreements.signatures import read_pades

    assert read_pades(BytesIO(plain_pdf())) == []
    assert read_pades(BytesIO(b"%PDF-1.4 not really")) == []


def test_a_pades_file_is_accepted_through_the_service_directly(accepted, own) -> None:
    coordinator = member(own, Role.COORDINATOR)
    copy = agreement_record_signed_copy(
        agreement=accepted,
        acting_user=coordinator,
        file=_upload(sign_pdf(plain_pdf(), "Anna Nowak", "Jan Kowalski")),
        signed_on=None,
        signatories=_signatories(accepted),
    )
    assert copy.recorded_by == coordinator
