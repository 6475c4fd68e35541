from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agreements.selectors import agreement_get_for_user
from cooperation.csvexport import csv_response
from cooperation.decorators import member_required
from cooperation.forms import add_service_errors
from cooperation.formtokens import submit_once
from cooperation.http import MemberRequest
from cooperation.pdf import pdf_response, render_pdf
from cooperation.permissions import CHANGE, institution_of
from cooperation.roles import MANAGING_ROLES
from cooperation.uploads import upload_response

from . import services
from .forms import AssessmentForm, ReportDraftForm
from .periods import period_choices, period_parse
from .reports import report_context, report_get_for_user, reports_visible_to
from .selectors import (
    Scope,
    county_csv_rows,
    csv_rows,
    dashboard_tables,
    figures_cached,
    scope_county,
    scope_for,
    scopes_for,
)


def _scope(request: MemberRequest) -> Scope:
    scope = scope_for(request.user, request.GET.get("scope"))
    if scope is None:
        raise Http404
    return scope


@member_required(MANAGING_ROLES)
def dashboard(request: MemberRequest) -> HttpResponse:
    scope, period = _scope(request), period_parse(request.GET.get("p"))
    figures, as_of = figures_cached(scope, period)
    context = {
        "as_of": as_of,
        "scope": scope,
        "scopes": scopes_for(request.user),
        "period": period,
        "previous": period.previous(),
        "choices": period_choices(),
        "tables": dashboard_tables(scope, period, figures),
    }
    return render(request, "indicators/dashboard.html", context)


@member_required(MANAGING_ROLES)
def dashboard_csv(request: MemberRequest) -> HttpResponse:
    scope, period = _scope(request), period_parse(request.GET.get("p"))
    tables = dashboard_tables(scope, period, figures_cached(scope, period)[0])
    only = request.GET.get("table") or None
    header = [_("Table"), _("Indicator"), period.label, period.previous().label]
    name = f"wskazniki-{scope.key}-{period.code}{'-' + only if only else ''}.csv"
    return csv_response(name, header, csv_rows(tables, only))


@member_required(MANAGING_ROLES)
def county_csv(request: MemberRequest) -> HttpResponse:
    """Anonymised figures by gmina and institution kind, always suppressed."""
    scope, period = scope_county(request.institution), period_parse(request.GET.get("p"))
    header, rows = county_csv_rows(scope, period)
    return csv_response(f"powiat-{period.code}.csv", header, rows)


@member_required(MANAGING_ROLES)
@submit_once
def reports(request: MemberRequest, agreement_pk: int) -> HttpResponse:
    agreement = agreement_get_for_user(request.user, agreement_pk)
    form = ReportDraftForm(request.POST or None, years=services.report_years(agreement))
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_draft(
                agreement=agreement, year=form.cleaned_data["year"], acting_user=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("The report has been drafted. Fill in your self-assessment.")
            )
            return redirect("indicators:assessment", report.pk)
    listed = reports_visible_to(request.user).filter(agreement=agreement)
    context = {"agreement": agreement, "form": form, "reports": listed}
    return render(request, "indicators/reports.html", context)


@member_required(MANAGING_ROLES)
def report_detail(request: MemberRequest, pk: int) -> HttpResponse:
    report = report_get_for_user(request.user, pk)
    context = report_context(report) | {"institution": institution_of(request.user)}
    return render(request, "indicators/report.html", context)


@member_required(MANAGING_ROLES)
def assessment(request: MemberRequest, pk: int) -> HttpResponse:
    report = report_get_for_user(request.user, pk, CHANGE)
    mine = report.assessments.filter(institution=institution_of(request.user)).first()
    form = AssessmentForm(request.POST or None, instance=mine)
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_save(
                report=report,
                acting_user=request.user,
                answers=form.answers(),
                what_worked=form.cleaned_data["what_worked"],
                what_to_change=form.cleaned_data["what_to_change"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your self-assessment has been saved."))
            return redirect(report)
    return render(request, "indicators/assessment.html", {"form": form, "report": report})


@require_POST
@member_required(MANAGING_ROLES)
def report_approve(request: MemberRequest, pk: int) -> HttpResponse:
    report = report_get_for_user(request.user, pk, CHANGE)
    try:
        report = services.report_approve(report=report, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if report.is_frozen:
            messages.success(request, _("Every party has approved: the report is final."))
        else:
            messages.success(request, _("Your institution has approved the report."))
    return redirect(report)


@member_required(MANAGING_ROLES)
def report_pdf(request: MemberRequest, pk: int) -> HttpResponse | FileResponse:
    report = report_get_for_user(request.user, pk)
    name = f"sprawozdanie-{report.agreement.number}-{report.year}"
    if report.is_frozen:
        return upload_response(report.file, filename=f"{name}.pdf")
    pdf = render_pdf("pdf/indicators/annual_report.html", report_context(report), request=request)
    return pdf_response(pdf, name)
