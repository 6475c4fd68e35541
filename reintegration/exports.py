"""The plan as a PDF, to be signed by the client and the participating institutions."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone, translation

from cooperation.audit import audit
from cooperation.http import MemberRequest
from cooperation.models import AuditAction
from cooperation.pdf import pdf_response, render_pdf

from .models import AREA_ORDER, BASIC_AREAS, ReintegrationPlan
from .page import goals_with_steps, r3_status


def plan_pdf_context(plan: ReintegrationPlan) -> dict[str, object]:
    needs = sorted(plan.needs.all(), key=lambda n: AREA_ORDER.get(n.area, 99))
    return {
        "plan": plan,
        "client": plan.client,
        "participants": list(plan.participants.all()),
        "basic_needs": [n for n in needs if n.area in BASIC_AREAS],
        "vocational_needs": [n for n in needs if n.area not in BASIC_AREAS],
        "goals": goals_with_steps(plan),
        "last_review": next(iter(plan.reviews.all()), None),
        "today": timezone.localdate(),
        **r3_status(plan),
    }


def plan_pdf_response(request: MemberRequest, plan: ReintegrationPlan) -> HttpResponse:
    # A document signed with the client is in Polish whatever the reader's UI language.
    with translation.override("pl"):
        pdf = render_pdf("pdf/reintegration/plan.html", plan_pdf_context(plan), request=request)
    audit(actor=request.user, action=AuditAction.EXPORT, obj=plan, request=request, reason="PDF")
    return pdf_response(pdf, f"plan-reintegracji-{plan.pk}")
