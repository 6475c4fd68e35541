"""Client pages: registration form, tabs, notes, documents, export, anonymisation."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from agreements.models import Scope
from clients.models import CaseNote, Client, ClientStatus
from clients.services import client_close, client_share, consent_record, note_add
from cooperation.models import AuditAction, AuditEvent, Role
from cooperation.validators import make_pesel

from ..factories import ClientFactory, agreement_between, member
from ..pdfs import pdf_text, pdf_to_png

TODAY = timezone.localdate()


def _register(client, **overrides):
    data = {
        "pesel": make_pesel(dt.date(1990, 2, 3), 7, female=True),
        "first_name": "Łucja",
        "last_name": "Żmuda",
        "form_token": "tok",
    }
    data.update(overrides)
    return client.post(reverse("clients:register"), data)


def _shared(own, partner, owner):
    agreement_between(own, partner, [Scope.CLIENT_RECORDS])
    c = ClientFactory(owner=own)
    consent = consent_record(
        client=c,
        acting_user=owner,
        partner=partner,
        basis="statutory",
        scopes=[Scope.CLIENT_RECORDS],
        given_on=TODAY,
    )
    client_share(client=c, partner=partner, consent=consent, acting_user=owner)
    return c


def test_registration_goes_to_the_sharing_tab(client, owner) -> None:
    client.force_login(owner)
    response = _register(client)
    c = Client.objects.get()
    assert response["Location"] == f"{c.get_absolute_url()}?tab=sharing"


def test_an_invalid_pesel_is_explained_next_to_the_field_and_nothing_is_lost(client, owner) -> None:
    client.force_login(owner)
    response = _register(client, pesel="90020300071")
    body = response.content.decode()
    assert 'id="id_pesel_error"' in body and "cyfra kontrolna" in body.lower()
    assert 'value="Łucja"' in body and 'value="90020300071"' in body
    assert not Client.objects.exists()


def test_a_double_submitted_registration_creates_one_client(client, owner) -> None:
    client.force_login(owner)
    _register(client)
    second = _register(client)
    assert Client.objects.count() == 1
    assert second.status_code == 302


def test_a_pesel_held_by_a_partner_shows_the_request_form(client, own, partner, owner) -> None:
    agreement_between(own, partner, [Scope.CLIENT_RECORDS])
    theirs = ClientFactory(owner=partner)
    client.force_login(owner)
    body = _register(client, pesel=theirs.pesel).content.decode()
    assert partner.name in body and reverse("clients:access_request") in body
    assert theirs.last_name not in body  # the partner's record itself stays hidden
    response = client.post(
        reverse("clients:access_request"), {"pesel": theirs.pesel, "reason": "Wspólny plan"}
    )
    assert response.status_code == 302
    client.force_login(member(partner, Role.SOCIAL_WORKER))
    assert theirs.last_name in client.get(reverse("home")).content.decode()


def test_internal_notes_stay_in_their_institution(client, own, partner, owner) -> None:
    c = _shared(own, partner, owner)
    note_add(client=c, acting_user=owner, happened_on=TODAY, text="Notatka wspólna", internal=False)
    note_add(
        client=c, acting_user=owner, happened_on=TODAY, text="Notatka wewnętrzna", internal=True
    )
    client.force_login(member(partner, Role.CLIENT_ADVISOR))
    body = client.get(reverse("clients:detail", args=[c.pk]), {"tab": "notes"}).content.decode()
    assert "Notatka wspólna" in body and "Notatka wewnętrzna" not in body
    timeline = client.get(
        reverse("clients:detail", args=[c.pk]), {"tab": "timeline"}
    ).content.decode()
    assert "Notatka wspólna" in timeline and "Notatka wewnętrzna" not in timeline


def test_a_partner_adds_a_note_but_cannot_see_the_sharing_tab(client, own, partner, owner) -> None:
    c = _shared(own, partner, owner)
    client.force_login(member(partner, Role.CLIENT_ADVISOR))
    client.post(
        reverse("clients:note_add", args=[c.pk]),
        {"happened_on": TODAY.isoformat(), "text": "Rozmowa w PUP"},
    )
    assert CaseNote.objects.get().institution == partner
    body = client.get(reverse("clients:detail", args=[c.pk]), {"tab": "sharing"}).content.decode()
    assert reverse("clients:consent_add", args=[c.pk]) not in body


def test_a_note_dated_in_the_future_is_refused_next_to_the_date(client, own, owner) -> None:
    c = ClientFactory(owner=own)
    client.force_login(owner)
    response = client.post(
        reverse("clients:note_add", args=[c.pk]),
        {"happened_on": (TODAY + dt.timedelta(days=2)).isoformat(), "text": "Jutro"},
    )
    assert 'id="id_happened_on_error"' in response.content.decode()
    assert not CaseNote.objects.exists()


def test_documents_refuse_wrong_types_and_sizes(client, own, owner, settings) -> None:
    c = ClientFactory(owner=own)
    client.force_login(owner)
    bad = SimpleUploadedFile("wirus.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(
        reverse("clients:document_add", args=[c.pk]),
        {"kind": "other", "title": "Plik", "file": bad},
    )
    assert 'id="id_file_error"' in response.content.decode()
    settings.UPLOAD_MAX_MB = 0
    big = SimpleUploadedFile("duzy.pdf", b"%PDF" + b"0" * 2048, content_type="application/pdf")
    response = client.post(
        reverse("clients:document_add", args=[c.pk]),
        {"kind": "other", "title": "Plik", "file": big},
    )
    assert "MB" in response.content.decode()
    assert not c.documents.exists()


def test_the_record_view_is_audited_with_the_full_pesel(client, own, owner) -> None:
    c = ClientFactory(owner=own)
    client.force_login(owner)
    body = client.get(reverse("clients:detail", args=[c.pk])).content.decode()
    assert c.pesel in body
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, object_id=str(c.pk)).count() == 1


def test_gdpr_export_has_everything_and_is_audited(
    client, own, partner, owner, coordinator
) -> None:
    c = _shared(own, partner, owner)
    note_add(
        client=c, acting_user=owner, happened_on=TODAY, text="Zażółć gęślą jaźń", internal=True
    )
    client.force_login(coordinator)
    data = json.loads(client.get(reverse("clients:export", args=[c.pk, "json"])).content)
    assert data["client"]["pesel"] == c.pesel
    assert data["shared_with"][0]["partner"] == partner.name
    assert data["notes"][0]["text"] == "Zażółć gęślą jaźń"
    assert data["access_log"]
    pdf = client.get(reverse("clients:export", args=[c.pk, "pdf"])).content
    text = pdf_text(pdf)
    assert c.pesel in text and "Zażółć gęślą jaźń" in text
    pdf_to_png(pdf, "client-export")
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_id=str(c.pk)).count() == 2


def test_workers_cannot_export(client, own, owner) -> None:
    c = ClientFactory(owner=own)
    client.force_login(owner)
    assert client.get(reverse("clients:export", args=[c.pk, "json"])).status_code == 403


def test_anonymisation_only_after_the_retention_period(
    client, own, owner, coordinator, settings
) -> None:
    c = ClientFactory(owner=own, last_name="Doanonimizacji")
    note_add(client=c, acting_user=owner, happened_on=TODAY, text="Szczegóły", internal=False)
    client.force_login(coordinator)
    client.post(reverse("clients:anonymise", args=[c.pk]))
    c.refresh_from_db()
    assert c.last_name == "Doanonimizacji"  # still active: refused
    client_close(client=c, acting_user=owner, closed_on=TODAY - dt.timedelta(days=400))
    settings.RETENTION = {**settings.RETENTION, "closed_clients_years": 1}
    client.post(reverse("clients:anonymise", args=[c.pk]))
    c.refresh_from_db()
    assert c.anonymised_at and c.pesel == "" and c.last_name != "Doanonimizacji"
    assert c.status == ClientStatus.CLOSED
    assert CaseNote.objects.get().text.startswith("[usunięto")


def test_closing_ends_sharing(client, own, partner, owner) -> None:
    c = _shared(own, partner, owner)
    client.force_login(owner)
    client.post(reverse("clients:close", args=[c.pk]))
    client.force_login(member(partner, Role.CLIENT_ADVISOR))
    assert client.get(reverse("clients:detail", args=[c.pk])).status_code == 404


@pytest.mark.parametrize("rows", [3, 40])
def test_list_and_detail_cost_the_same_queries_for_any_size(
    client, django_assert_max_num_queries, own, partner, owner, rows
) -> None:
    agreement_between(own, partner, [Scope.CLIENT_RECORDS])
    advisor = member(partner, Role.CLIENT_ADVISOR)
    last = None
    for i in range(rows):
        last = ClientFactory(owner=own)
        consent = consent_record(
            client=last,
            acting_user=owner,
            partner=partner,
            basis="statutory",
            scopes=[Scope.CLIENT_RECORDS],
            given_on=TODAY,
        )
        client_share(client=last, partner=partner, consent=consent, acting_user=owner)
        note_add(client=last, acting_user=owner, happened_on=TODAY, text=f"n{i}", internal=False)
    client.force_login(advisor)
    # Five for the list, three for the session's first `last_seen` write.
    with django_assert_max_num_queries(8):
        assert client.get(reverse("clients:list")).status_code == 200
    with django_assert_max_num_queries(10):
        assert (
            client.get(reverse("clients:list"), {"q": "Testowa", "held": "shared"}).status_code
            == 200
        )
    client.force_login(owner)
    # The timeline asks each app that adds to it (one query per source); the other
    # tabs keep the page budget of issue 18 (tests/cooperation/test_budgets.py).
    for tab in ("record", "notes", "sharing", "timeline", "documents"):
        with django_assert_max_num_queries(20 if tab == "timeline" else 12):
            assert (
                client.get(reverse("clients:detail", args=[last.pk]), {"tab": tab}).status_code
                == 200
            )
