from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from cooperation.audit import audit
from cooperation.decorators import member_required
from cooperation.forms import add_service_errors, apply_service
from cooperation.formtokens import submit_once
from cooperation.http import MemberRequest
from cooperation.models import AuditAction, Institution
from cooperation.roles import CASEWORK_ROLES, PERSON_ROLES
from cooperation.searches import search_params, search_redirect

from . import exports, services
from .forms import (
    CloseForm,
    GoalForm,
    NeedsForm,
    ParticipantForm,
    PlanFilterForm,
    PlanForm,
    ReviewForm,
    StepForm,
)
from .models import ReintegrationPlan
from .page import history_views, plan_page_context, r3_status
from .selectors import (
    candidate_partners,
    client_for_planning,
    closed_plans_for_client,
    my_open_steps,
    plan_for_client,
    plan_get_for_action,
    plan_get_for_user,
    plan_history,
    plan_is_holder,
    plans_list,
    step_get_for_action,
)

casework_required = member_required(CASEWORK_ROLES)


@casework_required
def plan_list(request: MemberRequest) -> HttpResponse:
    if request.method == "POST":
        return search_redirect(request, PlanFilterForm.base_fields)
    form = PlanFilterForm(search_params(request) or None)
    filters = form.cleaned_data if form.is_valid() else {}
    plans = plans_list(
        request.user,
        status=filters.get("status", ""),
        mine=filters.get("mine", False),
        query=filters.get("q", ""),
    )
    page = Paginator(plans, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reintegration/plan_list.html", {"form": form, "page": page})


@casework_required
def my_steps(request: MemberRequest) -> HttpResponse:
    page = Paginator(my_open_steps(request.user), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "reintegration/my_steps.html", {"page": page})


@casework_required
def client_plan(request: MemberRequest, client_pk: int) -> HttpResponse:
    """The client's plan: the open one, or a page to start one and see the closed ones."""
    client = client_for_planning(request.user, client_pk)
    plan = plan_for_client(request.user, client)
    if plan is not None:
        return redirect(plan)
    context = {"client": client, "closed_plans": closed_plans_for_client(request.user, client)}
    return render(request, "reintegration/client_plan.html", context)


@casework_required
@submit_once
def plan_create(request: MemberRequest, client_pk: int) -> HttpResponse:
    client = client_for_planning(request.user, client_pk)
    if (plan := plan_for_client(request.user, client)) is not None:
        messages.info(request, _("This client already has an open plan."))
        return redirect(plan)
    # Only the holder invites partners; a partner starting a plan takes part with the holder.
    holder = client.owner_id == request.institution.pk
    partners = candidate_partners(client) if holder else None
    ids = {client.owner_id, request.institution.pk}
    if partners is not None:
        ids |= set(partners.values_list("pk", flat=True))
    # The person creating the plan fills the place their role has in it.
    mine = [f for f, role in PERSON_ROLES.items() if role == request.membership.role]
    initial = {f: request.user.pk for f in mine}
    form = PlanForm(
        request.POST or None, initial=initial, institution_ids=ids, partners_qs=partners
    )
    if request.method == "POST" and form.is_valid():
        plan = apply_service(
            request,
            form,
            services.plan_create,
            _("Plan created. Start with the needs assessment."),
            acting_user=request.user,
            client=client,
        )
        if plan:
            return redirect("reintegration:needs", plan.pk)
    return render(
        request,
        "reintegration/plan_form.html",
        {"form": form, "client": client},
    )


@casework_required
def plan_detail(request: MemberRequest, pk: int) -> HttpResponse:
    plan = plan_get_for_user(request.user, pk)
    # The plan holds health, addiction and debt notes: every view is evidence.
    audit(
        actor=request.user,
        action=AuditAction.VIEW,
        obj=plan,
        fields=["needs", "steps"],
        request=request,
    )
    return render(request, "reintegration/plan_detail.html", plan_page_context(plan, request.user))


@casework_required
def plan_history_page(request: MemberRequest, pk: int) -> HttpResponse:
    plan = plan_get_for_user(request.user, pk)
    audit(
        actor=request.user, action=AuditAction.VIEW, obj=plan, fields=["history"], request=request
    )
    page = Paginator(plan_history(plan), 50).get_page(request.GET.get("page"))
    context = {"plan": plan, "page": page, "entries": history_views(list(page.object_list))}
    return render(request, "reintegration/plan_history.html", context)


@casework_required
def plan_edit(request: MemberRequest, pk: int) -> HttpResponse:
    plan = plan_get_for_action(request.user, pk)
    ids = [p.institution_id for p in plan.participants.all()]
    initial = {
        "social_worker": plan.social_worker,
        "client_advisor": plan.client_advisor,
        "coordinator": plan.coordinator,
        "next_review_date": plan.next_review_date,
    }
    form = PlanForm(request.POST or None, initial=initial, institution_ids=ids)
    if (
        request.method == "POST"
        and form.is_valid()
        and apply_service(
            request, form, services.plan_update, _("Saved."), plan=plan, acting_user=request.user
        )
    ):
        return redirect(plan)
    return _plan_form(request, plan, form, _("People and review date"))


def _plan_form(
    request: MemberRequest, plan: ReintegrationPlan, form: Form, title: str, **extra: Any
) -> HttpResponse:
    context = {"form": form, "plan": plan, "title": title, **extra}
    return render(request, "reintegration/action_form.html", context)


@casework_required
def participant_add(request: MemberRequest, pk: int) -> HttpResponse:
    plan = plan_get_for_action(request.user, pk)
    if not plan_is_holder(plan, request.user):
        raise PermissionDenied
    joined = [p.institution_id for p in plan.participants.all()]
    form = ParticipantForm(
        request.POST or None, institutions=candidate_partners(plan.client).exclude(pk__in=joined)
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and apply_service(
            request,
            form,
            services.participant_add,
            _("The institution takes part in the plan."),
            plan=plan,
            acting_user=request.user,
        )
    ):
        return redirect(plan)
    return _plan_form(request, plan, form, _("Add an institution"))


@casework_required
def needs_edit(request: MemberRequest, pk: int) -> HttpResponse:
    plan = plan_get_for_action(request.user, pk)
    form = NeedsForm(
        request.POST or None, needs=plan.needs.all(), ground=plan.special_category_ground
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.needs_assess(
                plan=plan,
                acting_user=request.user,
                assessments=form.assessments(),
                special_category_ground=form.cleaned_data["special_category_ground"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Needs assessment saved."))
            return redirect(plan)
    return render(request, "reintegration/needs_form.html", {"form": form, "plan": plan})


@casework_required
@submit_once
def goal_add(request: MemberRequest, pk: int) -> HttpResponse:
    plan = plan_get_for_action(request.user, pk)
    form = GoalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        goal = apply_service(
            request, form, services.goal_add, _("Goal added."), plan=plan, acting_user=request.user
        )
        if goal:
            url = reverse("reintegration:step_add", args=[plan.pk]) + f"?goal={goal.pk}"
            return redirect(url)
    return _plan_form(request, plan, form, _("Add a goal"))


def _step_institutions(plan: ReintegrationPlan, request: MemberRequest):
    """The plan holder assigns steps to any participant; a partner only to itself."""
    ids = [p.institution_id for p in plan.participants.all()]
    if not plan_is_holder(plan, request.user):
        ids = [i for i in ids if i == request.institution.pk]
    return Institution.objects.filter(pk__in=ids).order_by("name")


@casework_required
@submit_once
def step_add(request: MemberRequest, pk: int) -> HttpResponse:
    plan = plan_get_for_action(request.user, pk)
    if not plan.goals.all():
        messages.info(request, _("Add a goal first; every step leads to a goal."))
        return redirect("reintegration:goal_add", plan.pk)
    initial = {"institution": request.institution.pk, "responsible": request.user.pk}
    if (goal := request.GET.get("goal", "")).isascii() and goal.isdigit():
        initial["goal"] = int(request.GET["goal"])
    form = StepForm(
        request.POST or None,
        initial=initial,
        goals=plan.goals.order_by("position", "pk"),
        institutions=_step_institutions(plan, request),
    )
    if request.method == "POST" and form.is_valid():
        step = apply_service(
            request, form, services.step_add, _("Step added."), plan=plan, acting_user=request.user
        )
        if step:
            return redirect(plan)
    context = {"plan": plan, "form": form, "title": _("Add a step")}
    context.update(r3_status(plan))
    return render(request, "reintegration/step_form.html", context)


@casework_required
def step_edit(request: MemberRequest, pk: int) -> HttpResponse:
    step, plan = step_get_for_action(request.user, pk)
    initial = {
        "goal": step.goal_id,
        "area": step.area,
        "title": step.title,
        "institution": step.institution_id,
        "responsible": step.responsible_id,
        "due_date": step.due_date,
        "status": step.status,
        "outcome": step.outcome,
        "justification": step.justification,
    }
    form = StepForm(
        request.POST or None,
        initial=initial,
        goals=plan.goals.order_by("position", "pk"),
        institutions=_step_institutions(plan, request),
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and apply_service(
            request,
            form,
            services.step_update,
            _("Step saved."),
            step=step,
            acting_user=request.user,
        )
    ):
        return redirect(plan)
    changes = step.changes.select_related("actor", "institution").order_by("-at", "-pk")
    context = {
        "plan": plan,
        "form": form,
        "step": step,
        "title": _("Change the step"),
        "step_history": history_views(list(changes[:20])),
    }
    context.update(r3_status(plan))
    return render(request, "reintegration/step_form.html", context)


@casework_required
@submit_once
def review_add(request: MemberRequest, pk: int) -> HttpResponse:
    plan = plan_get_for_action(request.user, pk)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        review = apply_service(
            request,
            form,
            services.review_record,
            _("Review recorded."),
            plan=plan,
            acting_user=request.user,
        )
        if review:
            return redirect(plan)
    return _plan_form(request, plan, form, _("Record a review"))


@casework_required
@submit_once
def plan_close(request: MemberRequest, pk: int) -> HttpResponse:
    plan = plan_get_for_action(request.user, pk)
    if not plan_is_holder(plan, request.user):
        raise PermissionDenied
    form = CloseForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and apply_service(
            request,
            form,
            services.plan_close,
            _("Plan closed."),
            plan=plan,
            acting_user=request.user,
        )
    ):
        return redirect(plan)
    return _plan_form(request, plan, form, _("Close the plan"), danger=True)


@casework_required
def plan_pdf(request: MemberRequest, pk: int) -> HttpResponse:
    plan = plan_get_for_user(request.user, pk)
    return exports.plan_pdf_response(request, plan)
