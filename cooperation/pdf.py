"""PDF rendering with WeasyPrint, shared by every app (agreements, plans, offers, minutes)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.text import slugify


def render_pdf(
    template: str, context: dict[str, Any], *, request: HttpRequest | None = None
) -> bytes:
    from weasyprint import HTML  # imported late: it loads Pango, which the web request may not need

    html = render_to_string(template, context, request=request)
    base_url = request.build_absolute_uri("/") if request else None
    return HTML(string=html, base_url=base_url).write_pdf()


def pdf_response(pdf: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = (
        f'{disposition}; filename="{slugify(filename) or "dokument"}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response
