"""The agreement as a PDF, and the list of agreements in force as PDF or CSV."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.utils import timezone

from cooperation.audit import audit
from cooperation.csvexport import csv_response
from cooperation.http import MemberRequest
from cooperation.models import AuditAction
from cooperation.pdf import pdf_response, render_pdf

from .models import Agreement
from .scope import in_force
from .selectors import agreements_visible_to, terms_on


def agreement_pdf_response(request: MemberRequest, agreement: Agreement) -> HttpResponse:
    """The agreement's text with its procedures (appendix 1) printed from the
    terms in force today — or, before it is in force, the terms as drafted —
    and the signed copy as recorded."""
    from .models import SignedCopy
    from .procedures import coordinators_table, duties_table

    today = timezone.localdate()
    parties = list(agreement.parties.select_related("institution"))
    terms = terms_on(agreement, today) or agreement
    institutions = [p.institution for p in parties]
    context = {
        "agreement": agreement,
        "parties": parties,
        "terms": terms,
        "duties": duties_table(institutions, terms.scopes),
        "coordinators": coordinators_table(institutions),
        "signed_copy": SignedCopy.objects.filter(agreement=agreement).first(),
        "annexes": agreement.annexes.filter(applied=True),
        "today": today,
    }
    pdf = render_pdf("pdf/agreements/agreement.html", context, request=request)
    audit(
        actor=request.user, action=AuditAction.EXPORT, obj=agreement, request=request, reason="PDF"
    )
    return pdf_response(pdf, agreement.number)


def active_agreements(request: MemberRequest) -> list[Agreement]:
    return list(
        agreements_visible_to(request.user)
        .filter(pk__in=in_force().values("pk"))
        .order_by("valid_from", "number")
    )


def active_agreements_response(request: MemberRequest, fmt: str) -> HttpResponse:
    rows = active_agreements(request)
    institution = request.institution
    audit(
        actor=request.user,
        action=AuditAction.EXPORT,
        reason=f"agreements in force ({fmt})",
        request=request,
    )
    filename = f"porozumienia-{institution.short_name}-{timezone.localdate():%Y-%m-%d}"
    if fmt == "csv":
        header = ["Numer", "Tytuł", "Strony", "Zakres", "Od", "Do", "Wypowiedziane od"]
        table = (
            [
                a.number,
                a.title,
                ", ".join(p.institution.name for p in a.parties.all()),
                ", ".join(a.scope_labels),
                a.valid_from.isoformat(),
                a.valid_until.isoformat() if a.valid_until else "bezterminowo",
                a.termination_date.isoformat() if a.termination_date else "",
            ]
            for a in rows
        )
        return csv_response(f"{filename}.csv", header, table)
    if fmt == "pdf":
        context = {"agreements": rows, "institution": institution, "today": timezone.localdate()}
        return pdf_response(
            render_pdf("pdf/agreements/agreement_list.html", context, request=request), filename
        )
    raise Http404
