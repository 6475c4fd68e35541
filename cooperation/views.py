from __future__ import annotations

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from . import processing, services
from .audit import audit
from .csvexport import csv_response, ods_response
from .decorators import member_required
from .forms import AuditFilter, InstitutionForm, InviteForm, MembershipForm, add_service_errors
from .http import MemberRequest
from .models import AuditAction, Institution, Membership
from .navigation import home_section_for, home_sections_for
from .pdf import pdf_response, render_pdf
from .permissions import CHANGE, get_visible_or_404
from .roles import MANAGING_ROLES
from .selectors import audit_events_visible_to, members_visible_to


def _page(request: MemberRequest, qs, per_page: int = 25):
    return Paginator(qs, per_page).get_page(request.GET.get("page"))


@member_required()
def home(request: MemberRequest) -> HttpResponse:
    return render(request, "cooperation/home.html", {"sections": home_sections_for(request)})


@member_required()
def home_section(request: MemberRequest, key: str) -> HttpResponse:
    """One box of the home page, for htmx to fill a lazy section's placeholder (the
    box's body only), or, followed as a link without JavaScript, on a page of its own.
    404 for a section the user's role does not have."""
    rendered = home_section_for(request, key)
    if rendered is None:
        raise Http404
    template = (
        "cooperation/home/_section_body.html" if request.htmx else "cooperation/home_section.html"
    )
    response = render(request, template, {"rendered": rendered})
    patch_vary_headers(response, ["HX-Request"])
    return response


@member_required(MANAGING_ROLES)
def people(request: MemberRequest) -> HttpResponse:
    page = _page(request, members_visible_to(request.user))
    return render(request, "cooperation/people.html", {"page": page})


@member_required(MANAGING_ROLES)
def person_invite(request: MemberRequest) -> HttpResponse:
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_invite(
                institution=request.institution,
                acting_user=request.user,
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % form.cleaned_data)
            return redirect("cooperation:people")
    return render(request, "cooperation/person_invite.html", {"form": form})


@member_required(MANAGING_ROLES)
def person_edit(request: MemberRequest, pk: int) -> HttpResponse:
    # The form edits a copy so the service can tell what changed.
    membership = get_visible_or_404(
        Membership.objects.select_related("user"), request.user, CHANGE, pk=pk
    )
    form = MembershipForm(request.POST or None, instance=copy.copy(membership))
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_update(
                membership=membership,
                acting_user=request.user,
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)  # type: ignore[arg-type]
        else:
            messages.success(request, _("Saved."))
            return redirect("cooperation:people")
    return render(request, "cooperation/person_edit.html", {"form": form, "membership": membership})


@member_required(MANAGING_ROLES)
@require_POST
def person_resend_invitation(request: MemberRequest, pk: int) -> HttpResponse:
    membership = get_visible_or_404(
        Membership.objects.select_related("user"), request.user, CHANGE, pk=pk
    )
    try:
        services.invitation_resend(membership=membership, acting_user=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Invitation sent again to %(email)s.") % {"email": membership.user.email},
        )
    return redirect("cooperation:person_edit", pk=membership.pk)


@member_required()
def institution(request: MemberRequest) -> HttpResponse:
    inst = request.institution
    can_edit = request.membership.role in MANAGING_ROLES
    # The form edits its own copy (request.institution may be a lazy proxy: a shallow
    # copy would write through it), so the service sees what changed.
    editable = Institution.objects.get(pk=inst.pk) if can_edit else None
    form = InstitutionForm(request.POST or None, instance=editable) if can_edit else None
    if request.method == "POST" and form is not None and form.is_valid():
        services.institution_update(
            institution=inst, acting_user=request.user, data=form.cleaned_data
        )
        messages.success(request, _("Saved."))
        return redirect("cooperation:institution")
    context = {
        "institution": inst,
        "form": form,
        "controller_gaps": processing.controller_gaps(inst),
        "can_edit": can_edit,
    }
    return render(request, "cooperation/institution.html", context)


def _processing_record_audit(request: MemberRequest, fmt: str) -> None:
    audit(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=request.institution,
        reason=f"record of processing activities ({fmt})",
        request=request,
    )


@member_required(MANAGING_ROLES)
def processing_record_pdf(request: MemberRequest) -> HttpResponse:
    """The record of processing activities (GDPR art. 30) of the user's institution."""
    inst = request.institution
    context = {
        "institution": inst,
        "controller_gaps": processing.controller_gaps(inst),
        "declarations": processing.declarations_for(inst),
        "measures": processing.SECURITY_MEASURES,
        "today": timezone.localdate(),
    }
    pdf = render_pdf("pdf/cooperation/processing_record.html", context, request=request)
    _processing_record_audit(request, "PDF")
    return pdf_response(pdf, f"rejestr-czynnosci-przetwarzania-{inst.short_name}")


@member_required(MANAGING_ROLES)
def processing_record_csv(request: MemberRequest) -> HttpResponse:
    inst = request.institution
    _processing_record_audit(request, "CSV")
    return csv_response(
        f"rejestr-czynnosci-{inst.short_name}.csv",
        processing.RECORD_HEADER,
        processing.record_rows(inst),
    )


@member_required(MANAGING_ROLES)
def processing_record_ods(request: MemberRequest) -> HttpResponse:
    inst = request.institution
    _processing_record_audit(request, "ODS")
    return ods_response(
        f"rejestr-czynnosci-{inst.short_name}.ods",
        str(_("Record of processing")),
        processing.RECORD_HEADER,
        processing.record_rows(inst),
    )


def _filtered_audit(request: MemberRequest) -> tuple[AuditFilter, QuerySet]:
    """The institution's audit events with the filters on screen (all of them if invalid)."""
    filterset = AuditFilter(request.GET or None, queryset=audit_events_visible_to(request.user))
    events = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    return filterset, events  # type: ignore[return-value]


@member_required(MANAGING_ROLES)
def audit_log(request: MemberRequest) -> HttpResponse:
    from .audit import audit_rows

    filterset, events = _filtered_audit(request)
    page = _page(request, events, 50)
    return render(
        request,
        "cooperation/audit_list.html",
        {"filter": filterset, "page": page, "rows": audit_rows(page, request.user)},
    )


@member_required(MANAGING_ROLES)
def audit_export(request: MemberRequest) -> HttpResponse:
    """The audit log as CSV, with the filters on screen; the export is itself audited."""
    from .audit import audit, audit_log_csv
    from .models import AuditAction

    _filterset, events = _filtered_audit(request)
    audit(actor=request.user, action=AuditAction.EXPORT, reason="audit log (CSV)", request=request)
    return audit_log_csv(events, f"dziennik-{request.institution.short_name}")


@cache_control(public=True, max_age=86400)
def favicon(request: MemberRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says; answer with the icon
    from static/ rather than a 404 in every log."""
    from django.contrib.staticfiles import finders

    path = finders.find("favicon.ico")
    if path is None:
        raise Http404
    with open(path, "rb") as f:
        return HttpResponse(f.read(), content_type="image/x-icon")


def healthz(request: MemberRequest) -> HttpResponse:
    """Liveness for the load balancer and docker-compose: 200 when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


@require_POST
def session_keepalive(request: MemberRequest) -> HttpResponse:
    """Called by the idle warning's "stay logged in" button; the middleware has
    already refreshed the last-activity stamp."""
    import time

    if request.user.is_authenticated:
        request.session["last_seen"] = int(time.time())
        return HttpResponse(status=204)
    return HttpResponse(status=401)


def too_many_requests(request: MemberRequest) -> HttpResponse:
    """allauth's rate limits (logins, password resets) end here: a Polish page
    saying how long to wait, and a line in the audit log."""
    from .audit import audit
    from .models import AuditAction

    user = request.user if request.user.is_authenticated else None
    audit(actor=user, action=AuditAction.LOCKED_OUT, request=request, reason=request.path[:250])
    return render(request, "429.html", status=429)
