from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agreements.models import Scope
from agreements.scope import partners_covering
from clients.models import Client
from clients.selectors import client_get_for_user
from cooperation.decorators import member_required
from cooperation.forms import add_service_errors
from cooperation.formtokens import submit_once
from cooperation.http import MemberRequest
from cooperation.models import Institution, InstitutionKind
from cooperation.permissions import CHANGE, can, get_visible_or_404
from cooperation.roles import CASEWORK_ROLES, MANAGING_ROLES, PROMOTION_VIEW_ROLES

from . import services
from .forms import ActionForm, CloseForm, ProgrammeFinishForm, ProgrammeForm, ProposeForm
from .models import Programme, PromotionCase
from .permissions import PROPOSE, WORK
from .selectors import (
    case_get_for_user,
    chart_for,
    figures_by_quarter,
    overdue_before,
    proposal_initial,
    queue_for,
)


@member_required(CASEWORK_ROLES)
def queue(request: MemberRequest) -> HttpResponse:
    state = "closed" if request.GET.get("state") == "closed" else "open"
    qs = queue_for(request.user, state=state, mine=request.GET.get("mine") == "1")
    if request.GET.get("overdue") == "1":
        qs = qs.filter(last_activity_at__lt=overdue_before())
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "promotion/queue.html", {"page": page, "state": state})


@member_required(PROMOTION_VIEW_ROLES)
def case_detail(request: MemberRequest, pk: int) -> HttpResponse:
    case = case_get_for_user(request.user, pk)
    context = {
        "case": case,
        "actions": case.actions.select_related("offer", "created_by"),
        "may_work": can(request.user, case, WORK),
        # The CIS/KIS staff who proposed came from their referrals; the queue is not theirs.
        "may_see_queue": request.membership.role in CASEWORK_ROLES,
        "action_form": ActionForm(offers=_offers(case)),
        "close_form": CloseForm(),
    }
    return render(request, "promotion/case_detail.html", context)


def _offers(case):
    from joboffers.models import JobOffer, OfferStatus

    return JobOffer.objects.filter(institution_id=case.target_id, status=OfferStatus.PUBLISHED)


@require_POST
@member_required(CASEWORK_ROLES)
def case_take(request: MemberRequest, pk: int) -> HttpResponse:
    case = case_get_for_user(request.user, pk, CHANGE)
    try:
        services.case_take(case=case, acting_user=request.user)
        messages.success(request, _("The case is yours."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(case)


@member_required(CASEWORK_ROLES)
@submit_once
def case_action(request: MemberRequest, pk: int) -> HttpResponse:
    case = case_get_for_user(request.user, pk, CHANGE)
    form = ActionForm(request.POST or None, offers=_offers(case))
    if request.method == "POST" and form.is_valid():
        try:
            services.case_action_add(case=case, acting_user=request.user, **form.cleaned_data)
            messages.success(request, _("Action recorded."))
            return redirect(case)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(
        request, "promotion/case_form.html", {"case": case, "form": form, "kind": "action"}
    )


@member_required(CASEWORK_ROLES)
def case_close(request: MemberRequest, pk: int) -> HttpResponse:
    case = case_get_for_user(request.user, pk, CHANGE)
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_close(case=case, acting_user=request.user, **form.cleaned_data)
            messages.success(request, _("Case closed."))
            return redirect(case)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(
        request, "promotion/case_form.html", {"case": case, "form": form, "kind": "close"}
    )


@member_required(CASEWORK_ROLES)
@submit_once
def programme_new(request: MemberRequest, client_pk: int) -> HttpResponse:
    client = client_get_for_user(request.user, client_pk, CHANGE)
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_record(client=client, acting_user=request.user, **form.cleaned_data)
            messages.success(request, _("Programme recorded."))
            return redirect(client)
        except ValidationError as exc:
            add_service_errors(form, exc)  # type: ignore[arg-type]
    return render(request, "promotion/programme_form.html", {"client": client, "form": form})


@member_required(CASEWORK_ROLES)
def programme_finish(request: MemberRequest, pk: int) -> HttpResponse:
    programme = get_visible_or_404(
        Programme.objects.select_related("client"), request.user, CHANGE, pk=pk
    )
    form = ProgrammeFinishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_finish(
                programme=programme,
                acting_user=request.user,
                **form.cleaned_data,
            )
            messages.success(request, _("Programme outcome recorded."))
            return redirect(programme.client)
        except ValidationError as exc:
            add_service_errors(form, exc)
    context = {"client": programme.client, "programme": programme, "form": form}
    return render(request, "promotion/programme_form.html", context)


def _propose_form(
    request: MemberRequest, propose: Callable[..., PromotionCase], done: str, client: Client | None
):
    """The proposal form (offices under an agreement on the queue) and, once the
    service accepted it, the new case; the service's refusals go next to the fields."""
    offices = Institution.objects.filter(
        kind=InstitutionKind.PUP,
        pk__in=partners_covering(request.institution, Scope.PROMOTION),
    )
    form = ProposeForm(
        request.POST or None, offices=offices, initial=proposal_initial(client, offices)
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        target = data.pop("target")
        texts = {
            k: data.pop(k) for k in ("skills", "availability", "constraints", "preferred_work")
        }
        try:
            case = propose(acting_user=request.user, target=target, priorities=data, **texts)
        except ValidationError as exc:
            add_service_errors(form, exc)  # type: ignore[arg-type]
        else:
            messages.success(request, done)
            return form, case
    return form, None


@member_required(CASEWORK_ROLES)
@submit_once
def propose(request: MemberRequest, pk: int) -> HttpResponse:
    programme = get_visible_or_404(
        Programme.objects.select_related("client"), request.user, CHANGE, pk=pk
    )
    form, case = _propose_form(
        request,
        partial(services.case_propose, programme=programme),
        _("The client was proposed to the labour office."),
        programme.client,
    )
    if case is not None:
        return redirect(case)
    context = {"client": programme.client, "programme": programme, "form": form}
    return render(request, "promotion/propose_form.html", context)


@member_required()
@submit_once
def propose_from_referral(request: MemberRequest, pk: int) -> HttpResponse:
    """A CIS or KIS proposes a participant who completed its programme."""
    from partners.selectors import referral_get_for_user

    referral = referral_get_for_user(request.user, pk)
    if referral.partner_id != request.institution.pk:
        raise Http404  # the referring side sees the referral, not this form
    form, case = _propose_form(
        request,
        partial(services.case_propose_from_referral, referral=referral),
        _("The participant was proposed to the labour office."),
        None,  # the partner sees the referral's snapshot, never the client's record
    )
    if case is not None:
        return redirect(case)
    context = {
        "referral": referral,
        "form": form,
        "eligible": can(request.user, referral, PROPOSE),
    }
    return render(request, "promotion/propose_referral_form.html", context)


@member_required(MANAGING_ROLES)
def figures(request: MemberRequest) -> HttpResponse:
    table = figures_by_quarter(request.user)
    return render(request, "promotion/figures.html", {"table": table, "chart": chart_for(table)})
