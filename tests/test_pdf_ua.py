"""Every PDF the app produces is accessible (PDF/UA-1): tagged (a structure tree
and MarkInfo), titled, with its language set and every font embedded, and its
Polish letters come out of the text layer intact.

Each kind is fetched through its own view, built by the isolation harness's
builders (tests/isolation.py) in one institution and read by its coordinator.
A kind missing here fails the coverage check: every template under
templates/pdf/ must be rendered by one of them.
"""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
from django.conf import settings
from django.test.signals import template_rendered
from django.urls import reverse

from cooperation.models import Role

from .documents_helpers import text_of
from .factories import member
from .isolation import CASES, Built

# url name -> extra URL kwargs over the builder's (export views take a format).
PDF_URLS: dict[str, dict[str, str]] = {
    "agreements:pdf": {},
    "agreements:export": {"fmt": "pdf"},
    "clients:export": {"fmt": "pdf"},
    "clients:consent_form_pdf": {},
    "clients:consent_withdrawal_pdf": {},
    "partners:referral_pdf": {},
    "reintegration:pdf": {},
    "meetings:minutes_pdf": {},
    "meetings:attendance_list_pdf": {},
    "meetings:certificates_pdf": {},
    "joboffers:sheet": {},
    "joboffers:board_sheets": {},
    "joboffers:board_digest": {},
    "indicators:pdf": {},
    "cooperation:processing_record_pdf": {},
    "messaging:announcement_pdf": {},
}
NO_OBJECT = {"cooperation:processing_record_pdf"}
POLISH = set("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")


def _fonts_embedded(pdf: pikepdf.Pdf) -> list[str]:
    """Names of fonts without an embedded font program."""
    missing = []
    for page in pdf.pages:
        fonts = page.obj.get("/Resources", {}).get("/Font", {})
        for _name, font in dict(fonts).items():
            target = font.DescendantFonts[0] if "/DescendantFonts" in font else font
            descriptor = target.get("/FontDescriptor")
            if descriptor is None or not any(
                k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
            ):
                missing.append(str(font.get("/BaseFont")))
    return missing


def check_pdf_ua(data: bytes) -> list[str]:
    """What keeps a PDF from being tagged and accessible (empty: nothing)."""
    problems = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.Root
        if "/StructTreeRoot" not in root:
            problems.append("no StructTreeRoot")
        if not ("/MarkInfo" in root and bool(root.MarkInfo.get("/Marked"))):
            problems.append("not marked (MarkInfo)")
        if not str(root.get("/Lang", "")).startswith("pl"):
            problems.append(f"/Lang is {root.get('/Lang')!r}")
        if not str(pdf.docinfo.get("/Title", "")).strip():
            problems.append("no /Title")
        prefs = root.get("/ViewerPreferences", {})
        if not bool(prefs.get("/DisplayDocTitle", False)):
            problems.append("the title is not displayed (DisplayDocTitle)")
        with pdf.open_metadata() as meta:
            if "pdfuaid:part" not in str(meta):
                problems.append("no PDF/UA identifier in XMP")
        missing = _fonts_embedded(pdf)
        if missing:
            problems.append(f"fonts not embedded: {missing}")
    return problems


def _fetch(client, url_name: str, own, owner) -> bytes:  # type: ignore[no-untyped-def]
    built = Built({}, []) if url_name in NO_OBJECT else CASES[url_name].build(own, owner)
    kwargs = {**built.kwargs, **PDF_URLS[url_name]}
    if url_name == "agreements:export":
        kwargs = {"fmt": "pdf"}
    url = reverse(url_name, kwargs=kwargs)
    for user in (owner, member(own, Role.COORDINATOR)):
        client.force_login(user)
        response = client.get(url)
        if response.status_code == 200 and response["Content-Type"] == "application/pdf":
            return b"".join(response) if response.streaming else response.content
    raise AssertionError(f"{url_name}: {url} gave {response.status_code}, no PDF")


@pytest.mark.django_db
def test_every_pdf_kind_is_tagged_titled_and_in_polish(client, own, owner) -> None:  # type: ignore[no-untyped-def]
    rendered: set[str] = set()

    def seen(sender, template, **kwargs):  # type: ignore[no-untyped-def]
        rendered.add(template.name or "")

    template_rendered.connect(seen)
    problems = {}
    try:
        for url_name in PDF_URLS:
            data = _fetch(client, url_name, own, owner)
            found = check_pdf_ua(data)
            text = text_of(data)
            if not POLISH & set(text):
                found.append("no Polish letters in the text layer")
            if "\ufffd" in text:
                found.append("replacement characters in the text layer")
            if found:
                problems[url_name] = found
    finally:
        template_rendered.disconnect(seen)
    assert not problems, problems
    pdf_dir = Path(settings.BASE_DIR) / "templates" / "pdf"
    templates = {
        str(p.relative_to(pdf_dir.parent)).replace("\\", "/")
        for p in pdf_dir.rglob("*.html")
        if not p.name.startswith("_") and p.name != "base.html"
    }
    assert templates <= rendered, f"PDF templates no kind here renders: {templates - rendered}"


def test_the_check_refuses_an_untagged_pdf() -> None:
    # Guards the check itself: plain WeasyPrint output (no PDF/UA) must fail it.
    from weasyprint import HTML

    plain = HTML(string="<html><head><title>T</title></head><body>zażółć</body></html>").write_pdf()
    problems = check_pdf_ua(plain)
    assert "no StructTreeRoot" in problems and any("/Lang" in p for p in problems)
