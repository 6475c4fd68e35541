"""Permission-filtered reads of reintegration plans.

The access rule, in one place: a user may see a plan iff

1. they may see its client (`visible(Client, user)`, which also gates the
   role: social workers, client advisors and coordinators), and
2. their institution owns the client, or an agreement in force between the
   client's owner and their institution covers joint plans.

Rule 2 is checked live on every read (a subquery, not a stored grant), so a
plan disappears for a partner the day the agreement stops covering joint
plans, and no permission row is ever written per plan or per step. Every
read of a plan, its steps, reviews and history goes through
`plans_visible_to`.

Who may *act* (see `plan_can_act`): participants of an open plan only; a
partner institution's staff act only on the steps their institution owns.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from agreements.models import SCOPE_FIELDS, Party, Scope
from agreements.scope import in_force
from clients.models import Client
from clients.names import fold
from cooperation.http import MemberRequest
from cooperation.models import Institution, Membership, User
from cooperation.permissions import VIEW, can, membership_of, policy_for, visible
from cooperation.roles import CASEWORK_ROLES

from .models import (
    OPEN_STEP_STATUSES,
    Goal,
    NeedAssessment,
    Participant,
    PlanChange,
    PlanStatus,
    ReintegrationPlan,
    Review,
    Step,
)

REVIEW_SOON_DAYS = 7
HISTORY_ON_PAGE = 30


def joint_plan_partner_ids(institution: Institution | int) -> QuerySet:
    """Institutions linked to `institution` today by an agreement covering joint plans.

    The same question as `agreements.scope.partners_covering`, asked as a
    subquery so the plan selectors stay one query whatever they filter.
    """
    pk = institution.pk if isinstance(institution, Institution) else institution
    agreements = in_force().filter(
        **{SCOPE_FIELDS[Scope.JOINT_PLANS]: True}, parties__institution_id=pk
    )
    return Party.objects.filter(agreement__in=agreements.values("pk")).values("institution_id")


def joint_plans_condition(membership: Membership) -> Q:
    """The plan policy's condition: own clients, or partners' under an agreement covering joint plans."""
    institution = membership.institution
    return Q(client__owner=institution) | Q(client__owner__in=joint_plan_partner_ids(institution))


def plans_visible_to(user: User) -> QuerySet[ReintegrationPlan]:
    """Plans the user may see (rules 1 and 2 above); empty for anyone without a membership."""
    return visible(ReintegrationPlan, user, VIEW)


def client_for_planning(user: User, client_pk: int) -> Client:
    """A client whose plans the user may see: 404 for anyone else (an outsider learns nothing)."""
    client = visible(Client, user, VIEW).select_related("owner").filter(pk=client_pk).first()
    if client is None or not can(user, client, "plan"):
        raise Http404
    return client


def plan_detail_queryset(user: User) -> QuerySet[ReintegrationPlan]:
    """Visible plans with everything the plan page and the PDF show, in a fixed number of queries."""
    steps = Step.objects.select_related("institution", "responsible").order_by("due_date", "pk")
    return (
        plans_visible_to(user)
        .select_related(
            "client__owner", "social_worker", "client_advisor", "coordinator", "created_by"
        )
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=Participant.objects.select_related("institution").order_by(
                    "added_at", "pk"
                ),
            ),
            Prefetch("needs", queryset=NeedAssessment.objects.select_related("assessed_by")),
            Prefetch("goals", queryset=Goal.objects.order_by("position", "pk")),
            Prefetch("steps", queryset=steps),
            Prefetch(
                "reviews",
                queryset=Review.objects.select_related("recorded_by", "institution"),
            ),
        )
    )


def plan_get_for_user(user: User, pk: int) -> ReintegrationPlan:
    """One plan the user may see, with its parts prefetched; 404 otherwise."""
    plan = plan_detail_queryset(user).filter(pk=pk).first()
    if plan is None:
        raise Http404
    return plan


def plan_can_act(plan: ReintegrationPlan, user: User) -> bool:
    """A participant of an open plan, in a casework role (uses the prefetched participants)."""
    membership = membership_of(user)
    if not plan.is_open or membership is None or membership.role not in CASEWORK_ROLES:
        return False
    return any(p.institution_id == membership.institution_id for p in plan.participants.all())


def plan_is_holder(plan: ReintegrationPlan, user: User) -> bool:
    """Is the user's institution the client's owner, which leads the plan?"""
    membership = membership_of(user)
    return membership is not None and membership.institution_id == plan.client.owner_id


def step_can_edit(step: Step, plan: ReintegrationPlan, user: User) -> bool:
    """Participants of the owning institution edit its steps; the plan holder edits any."""
    if not plan_can_act(plan, user):
        return False
    membership = membership_of(user)
    return plan_is_holder(plan, user) or step.institution_id == membership.institution_id  # type: ignore[union-attr]


def plan_get_for_action(user: User, pk: int) -> ReintegrationPlan:
    """A plan the user may act on: 404 if they cannot see it, 403 if they only read it."""
    plan = plan_get_for_user(user, pk)
    if not plan_can_act(plan, user):
        raise PermissionDenied
    return plan


def step_get_for_action(user: User, pk: int) -> tuple[Step, ReintegrationPlan]:
    """A step the user may edit, with its plan: 404 if they cannot see it, 403 if read-only."""
    step = (
        Step.objects.filter(plan__in=plans_visible_to(user).values("pk"))
        .select_related("goal", "institution", "responsible")
        .filter(pk=pk)
        .first()
    )
    if step is None:
        raise Http404
    plan = plan_get_for_user(user, step.plan_id)
    if not step_can_edit(step, plan, user):
        raise PermissionDenied
    return step, plan


def plan_for_client(user: User, client: Client) -> ReintegrationPlan | None:
    """The client's open plan, if the user may see it (None otherwise). One query."""
    return (
        plans_visible_to(user)
        .filter(client=client, status=PlanStatus.OPEN)
        .select_related("social_worker", "client_advisor", "coordinator")
        .first()
    )


def closed_plans_for_client(user: User, client: Client) -> QuerySet[ReintegrationPlan]:
    return plans_visible_to(user).filter(client=client, status=PlanStatus.CLOSED)


def plan_summary_for_client(user: User, client: Client) -> dict[str, Any] | None:
    """A few numbers for the client page, in at most two queries.

    None when the user may not see this client's plans at all (so the page
    shows no link); otherwise a dict with `plan_id` (None without an open
    plan), `open_steps`, `overdue_steps`, `next_review_date`, `review_overdue`.
    """
    today = timezone.localdate()
    row = (
        plans_visible_to(user)
        .filter(client=client, status=PlanStatus.OPEN)
        .annotate(
            open_steps=Count("steps", filter=Q(steps__status__in=OPEN_STEP_STATUSES)),
            overdue_steps=Count(
                "steps",
                filter=Q(steps__status__in=OPEN_STEP_STATUSES, steps__due_date__lt=today),
            ),
        )
        .values("pk", "open_steps", "overdue_steps", "next_review_date")
        .first()
    )
    if row is None:
        if not can(user, client, "plan"):
            return None
        return {
            "plan_id": None,
            "open_steps": 0,
            "overdue_steps": 0,
            "next_review_date": None,
            "review_overdue": False,
        }
    review = row["next_review_date"]
    return {
        "plan_id": row["pk"],
        "open_steps": row["open_steps"],
        "overdue_steps": row["overdue_steps"],
        "next_review_date": review,
        "review_overdue": review is not None and review < today,
    }


def plan_history(plan: ReintegrationPlan) -> QuerySet[PlanChange]:
    """The plan's history, newest first (the caller has already checked the plan)."""
    return plan.changes.select_related("actor", "institution").order_by("-at", "-pk")


def candidate_partners(client: Client) -> QuerySet[Institution]:
    """Institutions that could join a plan of this client: the client is shared with
    them and an agreement in force covers joint plans with its owner."""
    policy = policy_for(Client)
    grants = policy.group_permission_model.objects.filter(  # type: ignore[union-attr]
        content_object=client, permission__codename=policy.codename(VIEW)
    ).values("group_id")
    return Institution.objects.filter(
        group_id__in=grants, pk__in=joint_plan_partner_ids(client.owner_id), is_active=True
    ).exclude(pk=client.owner_id)


def plan_people_choices(institution_ids: list[int]) -> QuerySet[User]:
    """Active casework members of these institutions (choices for responsible people)."""
    members = Membership.objects.filter(
        institution_id__in=institution_ids, is_active=True, role__in=CASEWORK_ROLES
    )
    return (
        User.objects.filter(memberships__in=members, is_active=True)
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


def plans_list(user: User, *, status: str = "", mine: bool = False, query: str = "") -> QuerySet:
    """The plans list page: visible plans, optionally the user's own, searched by
    the client's name (any case, any diacritics) or the start of the PESEL."""
    qs = (
        plans_visible_to(user)
        .select_related("client__owner")
        .annotate(
            open_steps=Count("steps", filter=Q(steps__status__in=OPEN_STEP_STATUSES)),
            overdue_steps=Count(
                "steps",
                filter=Q(
                    steps__status__in=OPEN_STEP_STATUSES,
                    steps__due_date__lt=timezone.localdate(),
                ),
            ),
        )
    )
    if status:
        qs = qs.filter(status=status)
    if mine:
        qs = qs.filter(_responsible(user))
    query = query.replace("\x00", "").strip()
    if query.isascii() and query.isdigit():
        qs = qs.filter(client__pesel__startswith=query)
    else:  # the client list's rule: any case, any diacritics
        for word in fold(query).split():
            qs = qs.filter(client__search_name__contains=word)
    return qs.order_by("client__last_name", "client__first_name", "-created_at")


def _responsible(user: User) -> Q:
    return Q(social_worker=user) | Q(client_advisor=user) | Q(coordinator=user)


def my_open_steps(user: User) -> QuerySet[Step]:
    """Open steps of open plans the user is responsible for, oldest due first."""
    return (
        Step.objects.filter(
            plan__in=plans_visible_to(user).filter(status=PlanStatus.OPEN).values("pk"),
            responsible=user,
            status__in=OPEN_STEP_STATUSES,
        )
        .select_related("plan__client", "institution")
        .order_by("due_date", "pk")
    )


def home_overdue_steps(request: MemberRequest) -> list[Step]:
    """Home page: the user's open steps past their due date (one query)."""
    today = timezone.localdate()
    return list(my_open_steps(request.user).filter(due_date__lt=today)[:8])


def reviews_due(user: User, *, within_days: int = REVIEW_SOON_DAYS) -> QuerySet[ReintegrationPlan]:
    """Open plans the user is responsible for whose review is overdue or within `within_days`."""
    limit = timezone.localdate() + dt.timedelta(days=within_days)
    return (
        plans_visible_to(user)
        .filter(_responsible(user), status=PlanStatus.OPEN, next_review_date__lte=limit)
        .select_related("client")
        .order_by("next_review_date", "pk")
    )


def home_reviews_due(request: MemberRequest) -> list[ReintegrationPlan]:
    """Home page: reviews of the user's plans that are due (one query)."""
    return list(reviews_due(request.user)[:8])
