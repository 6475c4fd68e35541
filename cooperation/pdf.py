"""PDF rendering with WeasyPrint, shared by every app (agreements, plans, offers, minutes).

Every PDF the app produces is tagged PDF/UA-1 (public bodies must publish
accessible documents, ustawa o dostępności cyfrowej 2019): a structure tree in
reading order, the title from the template's <title>, the language from
<html lang>, fonts embedded. Render through `render_pdf`, or pass a laid-out
WeasyPrint document to `write_document`, so no PDF leaves untagged.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.text import slugify

PDF_VARIANT = "pdf/ua-1"


def write_document(document: Any) -> bytes:
    """A laid-out WeasyPrint document as tagged, accessible PDF bytes."""
    return document.write_pdf(pdf_variant=PDF_VARIANT)


def render_pdf(
    template: str, context: dict[str, Any], *, request: HttpRequest | None = None
) -> bytes:
    from weasyprint import HTML  # imported late: it loads Pango, which the web request may not need

    html = render_to_string(template, context, request=request)
    base_url = request.build_absolute_uri("/") if request else None
    return HTML(string=html, base_url=base_url).write_pdf(pdf_variant=PDF_VARIANT)


def pdf_response(pdf: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = (
        f'{disposition}; filename="{slugify(filename) or "dokument"}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response
