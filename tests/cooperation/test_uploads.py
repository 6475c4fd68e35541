"""Uploads: checked by content, not by name; stored under random names outside
the static files; given back only through a view that checks access, as an
attachment under the name the user gave."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import struct
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model, QuerySet
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from agreements.models import Attachment, Scope
from clients.models import ClientDocument, Consent, LegalBasis
from cooperation.models import User
from cooperation.uploads import (
    DOCUMENTS,
    OFFICE_FILES,
    SCANS,
    Accepted,
    original_filename,
    random_upload_name,
    validate_upload,
)
from meetings.models import Material

from ..factories import ClientFactory, agreement_between
from ..meetings.conftest import schedule

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
WRONG_SIZE = "The file is larger than %(mb)s MB."
WRONG_NAME = (
    "The file's name does not match its content: it is a %(type)s file, "
    "so its name should end in .%(extension)s."
)


def _png() -> bytes:
    def chunk(tag: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(tag + data))
        return struct.pack(">I", len(data)) + tag + data + crc

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


def _zip(*entries: tuple[str, str], stored_first: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, text) in enumerate(entries):
            stored = stored_first and index == 0
            # A fixed date: the bytes (and the test ids made from them) are the same
            # in every xdist worker, or pytest-xdist refuses the collection.
            entry = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            archive.writestr(entry, text)
    return buffer.getvalue()


# As LibreOffice writes them: "word/" comes after more than four other entries,
# where filetype 1.2.0 stops looking and says "zip".
DOCX = _zip(
    ("_rels/.rels", "<Relationships/>"),
    ("docProps/app.xml", "<Properties/>"),
    ("docProps/core.xml", "<coreProperties/>"),
    ("[Content_Types].xml", "<Types/>"),
    ("customXml/item1.xml", "<x/>"),
    ("customXml/item2.xml", "<x/>"),
    ("word/document.xml", "<w:document/>"),
)
# "mimetype" compressed: filetype 1.2.0 says "zip" for this one too.
ODT = _zip(("mimetype", "application/vnd.oasis.opendocument.text"), ("content.xml", "<c/>"))
PLAIN_ZIP = _zip(("notatki.txt", "nic ciekawego"))
# filetype 1.2.0 calls any zip whose first entry is "word/..." a DOCX.
FAKE_DOCX = _zip(("word/strona.html", "<script>alert(1)</script>"))


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _refusal(exc: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return exc.value.messages


# --- the check itself --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("zgoda.pdf", PDF),
        ("ZDJĘCIE.JPEG", JPEG),
        ("zdjecie.jpg", JPEG),
        ("skan.png", _png()),
        ("wywiad.odt", ODT),
        ("wywiad.docx", DOCX),
    ],
)
def test_it_accepts_documents_whose_name_matches_their_content(name: str, content: bytes) -> None:
    upload = _upload(name, content)
    validate_upload(upload, allowed=DOCUMENTS)
    assert upload.tell() == 0 and upload.read() == content


@pytest.mark.parametrize(
    "content",
    [HTML, EXE, PLAIN_ZIP, FAKE_DOCX, b"", b"%PD"],
    ids=["html", "exe", "zip", "fake-docx", "empty", "truncated-pdf"],
)
def test_it_refuses_other_content_renamed_pdf(content: bytes) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_upload(_upload("zgoda.pdf", content), allowed=DOCUMENTS)
    assert _refusal(exc) == [gettext(DOCUMENTS.refusal)]


@pytest.mark.parametrize(
    ("accepted", "content"),
    [
        (SCANS, DOCX),
        (SCANS, ODT),
        (DOCUMENTS, _zip(("mimetype", "x"), ("[Content_Types].xml", ""))),
    ],
)
def test_each_field_takes_only_its_own_types(accepted: Accepted, content: bytes) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_upload(_upload("plik.docx", content), allowed=accepted)
    assert _refusal(exc) == [gettext(accepted.refusal)]


@pytest.mark.parametrize("name", ["zgoda.png", "zgoda.pdf.exe", "zgoda", ".pdf"])
def test_it_refuses_a_name_that_does_not_match_the_content(name: str) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_upload(_upload(name, PDF), allowed=DOCUMENTS)
    assert _refusal(exc) == [gettext(WRONG_NAME) % {"type": "PDF", "extension": "pdf"}]


def test_it_refuses_a_file_over_the_limit(settings) -> None:
    settings.UPLOAD_MAX_MB = 1
    big = _upload("duzy.pdf", PDF + b"0" * (1024 * 1024))
    with pytest.raises(ValidationError) as exc:
        validate_upload(big)
    assert _refusal(exc) == [gettext(WRONG_SIZE) % {"mb": 1}]
    validate_upload(big, max_mb=2)


def test_a_keyed_refusal_names_the_field() -> None:
    with pytest.raises(ValidationError) as exc:
        validate_upload(_upload("zgoda.pdf", HTML), allowed=SCANS, field="scan")
    assert exc.value.message_dict == {"scan": [gettext(SCANS.refusal)]}


def test_stored_names_are_random_and_keep_only_the_checked_extension() -> None:
    name = random_upload_name("consents", "Zgoda Jana Kowalskiego.JPEG")
    year = timezone.localdate().year
    assert re.fullmatch(rf"consents/{year}/[0-9a-f]{{32}}\.jpg", name)
    assert random_upload_name("consents", "a.pdf") != random_upload_name("consents", "a.pdf")
    assert re.fullmatch(rf"x/{year}/[0-9a-f]{{32}}", random_upload_name("x", "strona.html"))


def test_the_original_name_loses_folders_and_control_characters() -> None:
    assert original_filename("C:\\Users\\anna\\skan\u202egpj.pdf") == "skangpj.pdf"
    assert original_filename("../../etc/zgoda\r\nSet-Cookie: x.pdf") == "zgodaSet-Cookie: x.pdf"
    assert original_filename("Zgoda  Żółć\u00a0.pdf") == "Zgoda Żółć .pdf"
    long = original_filename("a" * 300 + ".docx")
    assert len(long) == 200 and long.endswith("a.docx")


# --- through each upload page ------------------------------------------------------


@dataclass
class Place:
    """One page where files are uploaded, and how to find and fetch what it stored."""

    user: User
    url: str
    data: dict[str, object]  # the other fields, with a text that must survive a refusal
    kept: str
    field: str
    accepted: Accepted
    rows: Callable[[], QuerySet]
    file_of: Callable[[Model], FieldFile]
    download_url: Callable[[Model], str]
    form: str = "form"


def _client_document(own, partner, owner, coordinator) -> Place:
    person = ClientFactory(owner=own)
    return Place(
        user=owner,
        url=reverse("clients:document_add", args=[person.pk]),
        data={"kind": "decision", "title": "Decyzja Żółtkowska"},
        kept="Decyzja Żółtkowska",
        field="file",
        accepted=DOCUMENTS,
        rows=ClientDocument.objects.all,
        file_of=lambda row: row.file,
        download_url=lambda row: reverse("clients:document", args=[row.pk]),
        form="document_form",
    )


def _consent_scan(own, partner, owner, coordinator) -> Place:
    person = ClientFactory(owner=own)
    return Place(
        user=owner,
        url=reverse("clients:consent_add", args=[person.pk]),
        data={
            "partner": partner.pk,
            "basis": LegalBasis.CONSENT,
            "scopes": [Scope.CLIENT_RECORDS],
            "given_on": timezone.localdate().isoformat(),
            "valid_until": "",
            "note": "Notatka Żółtkowska",
        },
        kept="Notatka Żółtkowska",
        field="scan",
        accepted=SCANS,
        rows=Consent.objects.all,
        file_of=lambda row: row.scan,
        download_url=lambda row: reverse("clients:consent_scan", args=[row.pk]),
    )


def _agreement_attachment(own, partner, owner, coordinator) -> Place:
    agreement = agreement_between(own, partner)
    return Place(
        user=coordinator,
        url=reverse("agreements:attachment_add", args=[agreement.pk]),
        data={"kind": "signed_scan", "description": "Opis Żółtkowski"},
        kept="Opis Żółtkowski",
        field="file",
        accepted=SCANS,
        rows=Attachment.objects.all,
        file_of=lambda row: row.file,
        download_url=lambda row: reverse("agreements:attachment", args=[row.pk]),
    )


def _meeting_material(own, partner, owner, coordinator) -> Place:
    event = schedule(coordinator, institutions=[partner])
    return Place(
        user=coordinator,
        url=reverse("meetings:material_add", args=[event.pk]),
        data={"title": "Prezentacja Żółtkowska"},
        kept="Prezentacja Żółtkowska",
        field="file",
        accepted=OFFICE_FILES,
        rows=Material.objects.all,
        file_of=lambda row: row.file,
        download_url=lambda row: reverse("meetings:material", args=[row.pk]),
    )


PLACES = {
    "client document": _client_document,
    "consent scan": _consent_scan,
    "agreement attachment": _agreement_attachment,
    "meeting material": _meeting_material,
}


# Files already in MEDIA_ROOT when a test starts (an agreement's signed copy, made
# by the set-up); the checks below are about what the upload under test stores.
_BEFORE: set[Path] = set()


@pytest.fixture(params=list(PLACES))
def place(request, own, partner, owner, coordinator, client) -> Place:
    agreement_between(own, partner)  # consents and meetings need a partner in an agreement
    built = PLACES[request.param](own, partner, owner, coordinator)
    # Rows the set-up made (the agreements' signed copies are attachments) are not
    # the upload's: the place's rows are the ones added from now on.
    existing = set(built.rows().values_list("pk", flat=True))
    all_rows = built.rows
    built.rows = lambda: all_rows().exclude(pk__in=existing)
    _BEFORE.clear()
    _BEFORE.update(_all_files())
    client.force_login(built.user)
    return built


def _post(client, place: Place, name: str, content: bytes):
    return client.post(place.url, {**place.data, place.field: _upload(name, content)})


def _all_files() -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def _stored_files() -> list[Path]:
    """Files the test's upload stored (not the set-up's)."""
    return [p for p in _all_files() if p not in _BEFORE]


@pytest.mark.parametrize("content", [HTML, EXE, PLAIN_ZIP], ids=["html", "exe", "zip"])
def test_other_content_renamed_pdf_is_refused_next_to_the_field(
    client, place: Place, content: bytes
) -> None:
    response = _post(client, place, "zgoda.pdf", content)
    body = response.content.decode()
    assert response.status_code == 200
    assert response.context[place.form].errors[place.field] == [gettext(place.accepted.refusal)]
    assert f'id="id_{place.field}_error"' in body
    assert place.kept in body
    assert not place.rows().exists() and _stored_files() == []


def test_a_file_over_the_limit_is_refused(client, place: Place, settings, monkeypatch) -> None:
    settings.UPLOAD_MAX_MB = 0
    monkeypatch.setattr("meetings.services.records.MATERIAL_MAX_MB", 0)
    response = _post(client, place, "zgoda.pdf", PDF)
    errors = response.context[place.form].errors[place.field]
    assert errors == [gettext(WRONG_SIZE) % {"mb": 0}]
    assert not place.rows().exists() and _stored_files() == []


def test_a_pdf_named_png_is_refused_with_the_right_extension(client, place: Place) -> None:
    response = _post(client, place, "skan.png", PDF)
    expected = gettext(WRONG_NAME) % {"type": "PDF", "extension": "pdf"}
    assert response.context[place.form].errors[place.field] == [expected]
    assert not place.rows().exists()


def test_a_pdf_is_stored_under_a_random_name_in_media(client, place: Place) -> None:
    response = _post(client, place, "Zgoda-Kowalskiej.pdf", PDF)
    assert response.status_code == 302
    stored = place.file_of(place.rows().get())
    assert re.fullmatch(r"[a-z]+/\d{4}/[0-9a-f]{32}\.pdf", stored.name)
    assert "Kowalsk" not in stored.name
    path = Path(stored.path).resolve()
    assert path.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert not path.is_relative_to(Path(settings.STATIC_ROOT).resolve())
    assert path.read_bytes() == PDF and _stored_files() == [Path(stored.path)]


def test_a_download_is_an_attachment_under_the_original_name(client, place: Place) -> None:
    _post(client, place, "Zgoda-Kowalskiej.pdf", PDF)
    response = client.get(place.download_url(place.rows().get()))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="Zgoda-Kowalskiej.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == PDF


def test_an_outsider_gets_404_on_the_download(client, place: Place, outsider) -> None:
    _post(client, place, "Zgoda-Kowalskiej.pdf", PDF)
    row = place.rows().get()
    client.force_login(outsider)
    assert client.get(place.download_url(row)).status_code == 404


def test_a_consent_without_a_scan_has_nothing_to_download(client, own, partner, owner) -> None:
    from clients.services import consent_record

    agreement_between(own, partner)
    consent = consent_record(
        client=ClientFactory(owner=own),
        acting_user=owner,
        partner=partner,
        basis=LegalBasis.STATUTORY_TASK,
        scopes=[Scope.CLIENT_RECORDS],
        given_on=timezone.localdate() - dt.timedelta(days=1),
    )
    client.force_login(owner)
    assert client.get(reverse("clients:consent_scan", args=[consent.pk])).status_code == 404


def test_the_app_refuses_to_start_with_uploads_inside_the_static_files() -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    env["MEDIA_ROOT"] = str(Path(settings.STATIC_ROOT) / "uploads")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "MEDIA_ROOT and STATIC_ROOT must not contain each other" in result.stderr


def test_the_admin_cannot_replace_uploaded_files(admin_user) -> None:
    """Uploads enter only through the checked path; in the admin file fields are read-only."""
    from django.contrib import admin
    from django.db.models import FileField
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = admin_user
    checked = 0
    for model, model_admin in admin.site._registry.items():
        files = [f.name for f in model._meta.fields if isinstance(f, FileField)]
        if files:
            checked += 1
            assert set(files) <= set(model_admin.get_readonly_fields(request)), model
    assert checked >= 3
