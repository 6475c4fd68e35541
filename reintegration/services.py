"""Writes of reintegration plans. Each is atomic, checks who acts and the
plan's state, writes the plan's history and the audit log.

Who may do what (the acting user always needs a casework role and must be
able to see the plan, see `selectors.plans_visible_to`):

* create a plan: anyone who may see the client's plans; their institution
  and the client's owner become participants;
* add an institution, close the plan: the plan holder (the client's owner);
* change the people and review date, assess needs, add goals, record a
  review: any participant;
* add or change a step: the plan holder for any step, a partner only for
  steps its own institution owns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import Client, ClientStatus
from cooperation import events
from cooperation.audit import audit, audit_many
from cooperation.dailyruns import catch_up_from, job_done
from cooperation.models import AuditAction, Institution, Membership, User
from cooperation.permissions import membership_of, require
from cooperation.processing import SpecialCategoryGround
from cooperation.roles import CASEWORK_ROLES, PERSON_ROLES

from . import history
from .models import (
    CLOSING_OUTCOMES,
    OPEN_STEP_STATUSES,
    SPECIAL_AREAS,
    Area,
    ChangeKind,
    Goal,
    NeedAssessment,
    NeedLevel,
    Participant,
    PlanChange,
    PlanStatus,
    ReintegrationPlan,
    Review,
    Step,
    StepStatus,
)
from .permissions import CHANGE, CLOSE, INVITE, PLAN
from .rules import check_basic_needs_first
from .selectors import (
    candidate_partners,
)


# --- checks -------------------------------------------------------------------
def _lock_open_plan(plan: ReintegrationPlan, user: User) -> Membership:
    """The acting participant's membership (the caller has `require`d the action);
    the plan row is locked and must still be open."""
    current = ReintegrationPlan.objects.select_for_update().only("status").get(pk=plan.pk)
    if current.status != PlanStatus.OPEN:
        raise ValidationError(_("This plan is closed; start a new plan to continue the work."))
    return membership_of(user)  # type: ignore[return-value]


def _participant_ids(plan: ReintegrationPlan) -> set[int]:
    return set(Participant.objects.filter(plan=plan).values_list("institution_id", flat=True))


def _check_people(people: Mapping[str, User | None], institution_ids: set[int]) -> None:
    """Each responsible person is an active member, in the matching role, of a participant."""
    errors = {}
    for name, person in people.items():
        if person is None:
            continue
        ok = Membership.objects.filter(
            user=person,
            is_active=True,
            role=PERSON_ROLES[name],
            institution_id__in=institution_ids,
        ).exists()
        if not ok:
            errors[name] = _("Choose a %(role)s of an institution taking part in the plan.") % {
                "role": str(ReintegrationPlan._meta.get_field(name).verbose_name)  # type: ignore[union-attr]
            }
    if errors:
        raise ValidationError(errors)


def _check_review_date(value: dt.date | None, field: str = "next_review_date") -> None:
    if value is not None and value < timezone.localdate():
        raise ValidationError({field: _("The review date is in the past.")})


# --- the plan -------------------------------------------------------------------
@transaction.atomic
def plan_create(
    *,
    acting_user: User,
    client: Client,
    partners: Iterable[Institution] = (),
    social_worker: User | None = None,
    client_advisor: User | None = None,
    coordinator: User | None = None,
    next_review_date: dt.date | None = None,
) -> ReintegrationPlan:
    """Open a plan for a client. The client's owner and the acting institution take
    part, with any chosen partners that the client is shared with under joint plans.
    Every needs area starts as "not assessed"."""
    require(acting_user, client, PLAN)
    membership = membership_of(acting_user)
    assert membership is not None  # require() refused anyone without one
    if client.status == ClientStatus.CLOSED:
        raise ValidationError(_("The client's case is closed; reopen it before planning."))
    if ReintegrationPlan.objects.filter(client=client, status=PlanStatus.OPEN).exists():
        raise ValidationError(_("This client already has an open plan."))
    partners = list(partners)
    if partners and membership.institution_id != client.owner_id:
        # Who else the client is shared with is the holder's business, not a partner's.
        raise PermissionDenied(_("Only the institution that holds the client adds institutions."))
    allowed = set(candidate_partners(client).values_list("pk", flat=True))
    institution_ids = [client.owner_id]
    for institution in [membership.institution, *partners]:
        if institution.pk in institution_ids:
            continue
        if institution.pk not in allowed:
            raise ValidationError(
                {
                    "partners": _(
                        "%(name)s cannot take part: the client is not shared with it, or no "
                        "agreement in force covers joint plans."
                    )
                    % {"name": institution.name}
                }
            )
        institution_ids.append(institution.pk)
    people = {
        "social_worker": social_worker,
        "client_advisor": client_advisor,
        "coordinator": coordinator,
    }
    _check_people(people, set(institution_ids))
    _check_review_date(next_review_date)
    plan = ReintegrationPlan(
        client=client, created_by=acting_user, next_review_date=next_review_date, **people
    )
    plan.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:  # a colleague opened one a moment ago
        raise ValidationError(_("This client already has an open plan.")) from None
    Participant.objects.bulk_create(
        [Participant(plan=plan, institution_id=i, added_by=acting_user) for i in institution_ids]
    )
    NeedAssessment.objects.bulk_create([NeedAssessment(plan=plan, area=a) for a in Area.values])
    names = dict(Institution.objects.filter(pk__in=institution_ids).values_list("pk", "name"))
    changes = [
        {"field": "participants", "old": "", "new": ", ".join(names[i] for i in institution_ids)}
    ]
    changes += history.diff({}, history.snapshot(plan, history.PEOPLE_FIELDS))
    history.record(
        plan=plan,
        kind=ChangeKind.CREATED,
        actor=acting_user,
        institution=membership.institution,
        changes=changes,
    )
    audit(actor=acting_user, action=AuditAction.CREATE, obj=plan)
    return plan


@transaction.atomic
def plan_update(
    *,
    plan: ReintegrationPlan,
    acting_user: User,
    social_worker: User | None,
    client_advisor: User | None,
    coordinator: User | None,
    next_review_date: dt.date | None,
) -> ReintegrationPlan:
    """Change who is responsible and when the next review is; any participant may."""
    require(acting_user, plan, CHANGE)
    membership = _lock_open_plan(plan, acting_user)
    people = {
        "social_worker": social_worker,
        "client_advisor": client_advisor,
        "coordinator": coordinator,
    }
    _check_people(people, _participant_ids(plan))
    if next_review_date != plan.next_review_date:
        _check_review_date(next_review_date)
    before = history.snapshot(plan, history.PEOPLE_FIELDS)
    for name, value in {**people, "next_review_date": next_review_date}.items():
        setattr(plan, name, value)
    changes = history.diff(before, history.snapshot(plan, history.PEOPLE_FIELDS))
    if not changes:
        return plan
    plan.full_clean(validate_constraints=False)
    plan.save(update_fields=list(history.PEOPLE_FIELDS))
    history.record(
        plan=plan,
        kind=ChangeKind.PEOPLE,
        actor=acting_user,
        institution=membership.institution,
        changes=changes,
    )
    audit(
        actor=acting_user,
        action=AuditAction.UPDATE,
        obj=plan,
        fields=[c["field"] for c in changes],
    )
    return plan


def _check_special_sharing(plan: ReintegrationPlan, institution: Institution) -> None:
    """A plan holding health or addiction needs is shared on an art. 9(2) ground: on
    explicit consent only with a partner the client's consent names with that ground."""
    holds = [
        n
        for n in NeedAssessment.objects.filter(plan=plan, area__in=SPECIAL_AREAS)
        if _holds_special_data(n.level, n.note)
    ]
    if not holds:
        return
    ground = plan.special_category_ground
    if ground == SpecialCategoryGround.EXPLICIT_CONSENT and not any(
        c.is_active and "joint_plans" in c.scopes
        for c in plan.client.consents.filter(
            partner=institution, special_category_ground=SpecialCategoryGround.EXPLICIT_CONSENT
        )
    ):
        ground = ""
    if not ground:
        raise ValidationError(
            {
                "institution": _(
                    "The plan records health or addiction needs on the client's explicit "
                    "consent (Art. 9(2)(a) GDPR): record that consent for this institution "
                    "first."
                )
            }
        )


@transaction.atomic
def participant_add(
    *, plan: ReintegrationPlan, acting_user: User, institution: Institution
) -> Participant:
    """The plan holder invites a partner that the client is shared with under joint plans."""
    require(acting_user, plan, INVITE)
    membership = _lock_open_plan(plan, acting_user)
    if Participant.objects.filter(plan=plan, institution=institution).exists():
        raise ValidationError({"institution": _("This institution already takes part.")})
    if not candidate_partners(plan.client).filter(pk=institution.pk).exists():
        raise ValidationError(
            {
                "institution": _(
                    "The client is not shared with this institution, or no agreement in force "
                    "covers joint plans with it."
                )
            }
        )
    _check_special_sharing(plan, institution)
    participant = Participant.objects.create(
        plan=plan, institution=institution, added_by=acting_user
    )
    history.record(
        plan=plan,
        kind=ChangeKind.PARTICIPANT,
        actor=acting_user,
        institution=membership.institution,
        subject=institution.name,
    )
    audit(actor=acting_user, action=AuditAction.UPDATE, obj=plan, fields=["participants"])
    return participant


@transaction.atomic
def needs_assess(
    *,
    plan: ReintegrationPlan,
    acting_user: User,
    assessments: Mapping[str, tuple[str, str]],
    special_category_ground: str = "",
) -> list[str]:
    """Record the level and note of some areas ({area: (level, note)}); returns the areas changed.

    Health and addiction needs are special-category data (art. 9 GDPR): they are
    recorded only once the plan holds an art. 9(2) ground, given here or before."""
    require(acting_user, plan, CHANGE)
    membership = _lock_open_plan(plan, acting_user)
    unknown = set(assessments) - set(Area.values)
    if unknown:
        raise ValidationError(_("Unknown area: %(areas)s") % {"areas": ", ".join(sorted(unknown))})
    rows = {n.area: n for n in NeedAssessment.objects.filter(plan=plan)}
    now = timezone.now()
    changes = _special_ground_set(plan, special_category_ground, rows, assessments)
    changed_rows = []
    for area, (level, note) in assessments.items():
        if level not in NeedLevel.values:
            raise ValidationError({f"level_{area}": _("Choose a level.")})
        row = rows.get(area) or NeedAssessment(plan=plan, area=area)
        note = note.strip()
        if row.pk and row.level == level and row.note == note:
            continue
        if row.level != level:
            changes.append({"field": f"level:{area}", "old": row.level, "new": level})
        if row.note != note:
            changes.append({"field": f"note:{area}", "old": row.note, "new": note})
        row.level, row.note, row.assessed_at, row.assessed_by = level, note, now, acting_user
        row.full_clean(validate_constraints=False)
        row.save()
        changed_rows.append(area)
    if changes:
        history.record(
            plan=plan,
            kind=ChangeKind.NEEDS,
            actor=acting_user,
            institution=membership.institution,
            changes=changes,
        )
        ground = [c["field"] for c in changes if c["field"] == "special_category_ground"]
        audit(
            actor=acting_user,
            action=AuditAction.UPDATE,
            obj=plan,
            fields=["needs", *ground, *changed_rows],
        )
    return changed_rows


def _holds_special_data(level: str, note: str) -> bool:
    return level != NeedLevel.NOT_ASSESSED or bool(note.strip())


def _special_ground_set(
    plan: ReintegrationPlan,
    ground: str,
    rows: Mapping[str, NeedAssessment],
    assessments: Mapping[str, tuple[str, str]],
) -> list[dict[str, str]]:
    """Record a new art. 9(2) ground (returned as a history change); refuse health
    or addiction data without one."""
    changes = []
    if ground and ground not in SpecialCategoryGround.values:
        raise ValidationError({"special_category_ground": _("Choose a ground from the list.")})
    if ground and ground != plan.special_category_ground:
        old, plan.special_category_ground = plan.special_category_ground, ground
        plan.save(update_fields=["special_category_ground"])
        changes.append({"field": "special_category_ground", "old": old, "new": ground})
    special = []
    for area in SPECIAL_AREAS:
        row = rows.get(area)
        level, note = assessments.get(area) or ((row.level, row.note) if row else ("", ""))
        if level and _holds_special_data(level, note):
            special.append(area)
    if special and not plan.special_category_ground:
        raise ValidationError(
            {
                "special_category_ground": _(
                    "Health and addiction needs are special-category data: choose the "
                    "ground under Art. 9(2) GDPR before recording them."
                )
            }
        )
    return changes


@transaction.atomic
def goal_add(*, plan: ReintegrationPlan, acting_user: User, title: str) -> Goal:
    """Any participant adds a goal; goals keep the order they were added in."""
    require(acting_user, plan, CHANGE)
    membership = _lock_open_plan(plan, acting_user)
    last = Goal.objects.filter(plan=plan).aggregate(m=Max("position"))["m"] or 0
    goal = Goal(plan=plan, title=title.strip(), position=last + 1, created_by=acting_user)
    goal.full_clean()
    goal.save()
    history.record(
        plan=plan,
        kind=ChangeKind.GOAL_ADDED,
        actor=acting_user,
        institution=membership.institution,
        subject=goal.title,
    )
    audit(actor=acting_user, action=AuditAction.UPDATE, obj=plan, fields=["goals"])
    return goal


# --- steps --------------------------------------------------------------------
def _check_step(
    *,
    plan: ReintegrationPlan,
    membership: Membership,
    step: Step,
    due_date_changed: bool,
) -> None:
    if step.goal.plan_id != plan.pk:
        raise ValidationError({"goal": _("Choose a goal of this plan.")})
    if step.institution_id not in _participant_ids(plan):
        raise ValidationError({"institution": _("Choose an institution taking part in the plan.")})
    holder = membership.institution_id == plan.client.owner_id
    if not holder and step.institution_id != membership.institution_id:
        raise PermissionDenied(_("You may add and change only the steps your institution owns."))
    if not Membership.objects.filter(
        user=step.responsible,
        institution_id=step.institution_id,
        is_active=True,
        role__in=CASEWORK_ROLES,
    ).exists():
        raise ValidationError(
            {"responsible": _("Choose a person working in the institution that owns the step.")}
        )
    if due_date_changed and step.is_open and step.due_date < timezone.localdate():
        raise ValidationError(
            {"due_date": _("The due date of an open step cannot be in the past.")}
        )
    if step.status in (StepStatus.DONE, StepStatus.DROPPED) and not step.outcome.strip():
        raise ValidationError(
            {"outcome": _("Describe the outcome of a step that is done or dropped.")}
        )


def _mark_closed(step: Step, *, was_open: bool) -> None:
    """Keep the day the step was done or dropped: today when it closes, none while it
    is open (reopened: the plan's history keeps the earlier date); a step that goes
    from done to dropped or back keeps the day it closed."""
    if step.is_open:
        step.closed_on = None
    elif was_open or step.closed_on is None:
        step.closed_on = timezone.localdate()


@transaction.atomic
def step_add(
    *,
    plan: ReintegrationPlan,
    acting_user: User,
    goal: Goal,
    area: str,
    title: str,
    institution: Institution,
    responsible: User,
    due_date: dt.date,
    status: str = StepStatus.PLANNED,
    outcome: str = "",
    justification: str = "",
) -> Step:
    """Add a step towards a goal. A vocational step scheduled while a critical basic
    need is unaddressed needs a justification (the rule of R3, see models.py)."""
    require(acting_user, plan, CHANGE)
    membership = _lock_open_plan(plan, acting_user)
    step = Step(
        plan=plan,
        goal=goal,
        area=area,
        title=title.strip(),
        institution=institution,
        responsible=responsible,
        due_date=due_date,
        status=status,
        outcome=outcome.strip(),
        justification=justification.strip(),
        created_by=acting_user,
    )
    _mark_closed(step, was_open=True)
    step.full_clean()
    _check_step(plan=plan, membership=membership, step=step, due_date_changed=True)
    check_basic_needs_first(
        plan, area=area, status=status, justification=step.justification, step=None
    )
    step.save()
    history.record(
        plan=plan,
        kind=ChangeKind.STEP_ADDED,
        actor=acting_user,
        institution=membership.institution,
        subject=step.title,
        changes=history.diff({}, history.snapshot(step, history.STEP_FIELDS)),
        step=step,
    )
    audit(actor=acting_user, action=AuditAction.CREATE, obj=step)
    events.emit(
        "reintegration.step_added",
        target=step,
        actor=acting_user,
        institution=membership.institution,
    )
    return step


@transaction.atomic
def step_update(
    *,
    step: Step,
    acting_user: User,
    goal: Goal,
    area: str,
    title: str,
    institution: Institution,
    responsible: User,
    due_date: dt.date,
    status: str,
    outcome: str = "",
    justification: str = "",
) -> Step:
    """Change a step (progress, outcome, rescheduling). Changing the area, status or
    due date of a vocational step that stays open is scheduling it again, so the R3
    check applies; the history keeps every old value."""
    require(acting_user, step.plan, CHANGE)
    plan = step.plan
    membership = _lock_open_plan(plan, acting_user)
    step = Step.objects.select_related("goal", "institution", "responsible").get(pk=step.pk)
    if step.plan_id != plan.pk:
        raise ValidationError(_("This step belongs to another plan."))
    holder = membership.institution_id == plan.client.owner_id
    if not holder and step.institution_id != membership.institution_id:
        raise PermissionDenied(_("You may add and change only the steps your institution owns."))
    before = history.snapshot(step, history.STEP_FIELDS)
    old_schedule = (step.area, step.status, step.due_date)
    was_done = step.status == StepStatus.DONE
    step.goal, step.area, step.title = goal, area, title.strip()
    step.institution, step.responsible, step.due_date = institution, responsible, due_date
    step.status, step.outcome, step.justification = status, outcome.strip(), justification.strip()
    _mark_closed(step, was_open=old_schedule[1] in OPEN_STEP_STATUSES)
    changes = history.diff(before, history.snapshot(step, history.STEP_FIELDS))
    if not changes:
        return step
    step.full_clean()
    _check_step(
        plan=plan, membership=membership, step=step, due_date_changed=old_schedule[2] != due_date
    )
    if old_schedule != (area, status, due_date):
        check_basic_needs_first(
            plan, area=area, status=status, justification=step.justification, step=step
        )
    step.save()
    history.record(
        plan=plan,
        kind=ChangeKind.STEP_CHANGED,
        actor=acting_user,
        institution=membership.institution,
        subject=step.title,
        changes=changes,
        step=step,
    )
    audit(
        actor=acting_user,
        action=AuditAction.UPDATE,
        obj=step,
        fields=[c["field"] for c in changes],
    )
    if step.status == StepStatus.DONE and not was_done:
        events.emit(
            "reintegration.step_completed",
            target=step,
            actor=acting_user,
            institution=membership.institution,
        )
    return step


# --- reviews and closing ----------------------------------------------------------
@transaction.atomic
def review_record(
    *,
    plan: ReintegrationPlan,
    acting_user: User,
    held_on: dt.date,
    progress: str,
    next_review_date: dt.date | None,
) -> Review:
    """A participant records the progress seen at a review and sets the next review date."""
    require(acting_user, plan, CHANGE)
    membership = _lock_open_plan(plan, acting_user)
    today = timezone.localdate()
    if held_on > today:
        raise ValidationError(
            {"held_on": _("A review is recorded on or after the day it is held.")}
        )
    if next_review_date is not None and (next_review_date <= held_on or next_review_date < today):
        raise ValidationError(
            {"next_review_date": _("The next review must come after this one and not in the past.")}
        )
    review = Review(
        plan=plan,
        held_on=held_on,
        due_on=plan.next_review_date,
        progress=progress.strip(),
        next_review_date=next_review_date,
        institution=membership.institution,
        recorded_by=acting_user,
    )
    review.full_clean()
    review.save()
    old_date = plan.next_review_date
    ReintegrationPlan.objects.filter(pk=plan.pk).update(next_review_date=next_review_date)
    plan.next_review_date = next_review_date
    history.record(
        plan=plan,
        kind=ChangeKind.REVIEW,
        actor=acting_user,
        institution=membership.institution,
        subject=held_on.isoformat(),
        changes=history.diff(
            {"next_review_date": history.as_text(old_date)},
            {"next_review_date": history.as_text(next_review_date)},
        ),
    )
    audit(actor=acting_user, action=AuditAction.UPDATE, obj=plan, fields=["reviews"])
    return review


@transaction.atomic
def plan_close(
    *, plan: ReintegrationPlan, acting_user: User, outcome: str, note: str
) -> ReintegrationPlan:
    """The plan holder closes the plan with its outcome and a note; it stays readable
    as history and a new one may start."""
    require(acting_user, plan, CLOSE)
    membership = _lock_open_plan(plan, acting_user)
    errors = {}
    if outcome not in dict(CLOSING_OUTCOMES):
        errors["outcome"] = _("Choose how the plan ended.")
    if not note.strip():
        errors["note"] = _("Say why the plan is closed.")
    if errors:
        raise ValidationError(errors)
    plan.status = PlanStatus.CLOSED
    plan.closed_at = timezone.now()
    plan.closed_by = acting_user
    plan.closing_outcome = outcome
    plan.closing_note = note.strip()
    plan.save(update_fields=["status", "closed_at", "closed_by", "closing_outcome", "closing_note"])
    history.record(
        plan=plan,
        kind=ChangeKind.CLOSED,
        actor=acting_user,
        institution=membership.institution,
        changes=[
            {"field": "closing_outcome", "old": "", "new": outcome},
            {"field": "closing_note", "old": "", "new": plan.closing_note},
        ],
    )
    audit(
        actor=acting_user,
        action=AuditAction.UPDATE,
        obj=plan,
        fields=["status", "closing_outcome"],
    )
    return plan


@transaction.atomic
def plans_anonymise(*, client: Client, acting_user: User | None) -> int:
    """Erase the free text of every plan of a client being anonymised; returns how many plans.

    For `clients.services.client_anonymise` to call (it checks who may and when):
    needs notes, step titles, outcomes and justifications, review notes, the
    closing note and the values kept in the history are personal data too.
    Levels, areas, statuses and dates stay, so statistics keep working.
    """
    erased = "[usunięto — anonimizacja]"
    plans = list(ReintegrationPlan.objects.filter(client=client).only("pk"))
    if not plans:
        return 0
    NeedAssessment.objects.filter(plan__in=plans).exclude(note="").update(note=erased)
    Goal.objects.filter(plan__in=plans).update(title=erased)
    Step.objects.filter(plan__in=plans).update(title=erased, outcome="", justification="")
    Review.objects.filter(plan__in=plans).update(progress=erased)
    ReintegrationPlan.objects.filter(pk__in=[p.pk for p in plans]).exclude(closing_note="").update(
        closing_note=erased
    )
    PlanChange.objects.filter(plan__in=plans).update(subject="", changes=[])
    audit_many(actor=acting_user, action=AuditAction.DELETE, objects=plans, reason="anonymisation")
    return len(plans)


# --- a partner losing sight of the client ------------------------------------------
def _owner_person(plan: ReintegrationPlan, acting_user: User | None) -> User | None:
    """Who in the client's owning institution takes the steps back: the plan's social
    worker, else the person acting, else the plan's author, else any caseworker there."""
    owner_id = plan.client.owner_id
    active = Membership.objects.filter(institution_id=owner_id, is_active=True)
    for person in (plan.social_worker, acting_user, plan.created_by):
        if person is not None and active.filter(user=person).exists():
            return person
    membership = active.filter(role__in=CASEWORK_ROLES).select_related("user").first()
    return membership.user if membership else None


@transaction.atomic
def plans_release_partner(
    *, client: Client, partner: Institution, acting_user: User | None, reason: str
) -> int:
    """The partner can no longer see the client (its share ended, or no agreement
    covers joint plans any more), so it stops taking part in the client's open plans.

    Its open steps return to the owning institution, to the plan's social worker
    (each with a history entry, so the timeline shows it); people of the partner
    stop being named on the plan; the owner's worker is told (an event). Returns the
    number of steps returned.
    """
    if partner.pk == client.owner_id:
        return 0
    plans = ReintegrationPlan.objects.filter(
        client=client, status=PlanStatus.OPEN, participants__institution=partner
    ).select_related(
        "client__owner", "social_worker", "client_advisor", "coordinator", "created_by"
    )
    returned = 0
    for plan in plans:
        owner = plan.client.owner
        person = _owner_person(plan, acting_user)
        steps = list(
            plan.steps.filter(institution=partner, status__in=OPEN_STEP_STATUSES).select_related(
                "goal", "institution", "responsible"
            )
        )
        if steps and person is None:
            raise ValidationError(_("The institution holding the client has no caseworker."))
        for step in steps:
            before = history.snapshot(step, history.STEP_FIELDS)
            step.institution, step.responsible = owner, person  # type: ignore[assignment]
            step.save(update_fields=["institution", "responsible", "updated_at"])
            history.record(
                plan=plan,
                kind=ChangeKind.STEP_CHANGED,
                actor=acting_user,  # type: ignore[arg-type]
                institution=owner,
                subject=step.title,
                changes=history.diff(before, history.snapshot(step, history.STEP_FIELDS)),
                step=step,
            )
        left_people = [
            name
            for name in ("social_worker", "client_advisor", "coordinator")
            if getattr(plan, name) is not None
            and Membership.objects.filter(
                user=getattr(plan, name), institution=partner, is_active=True
            ).exists()
            and not Membership.objects.filter(
                user=getattr(plan, name), institution=owner, is_active=True
            ).exists()
        ]
        before = history.snapshot(plan, history.PEOPLE_FIELDS)
        for name in left_people:
            setattr(plan, name, None)
        if left_people:
            plan.save(update_fields=left_people)
        Participant.objects.filter(plan=plan, institution=partner).delete()
        history.record(
            plan=plan,
            kind=ChangeKind.LEFT,
            actor=acting_user,  # type: ignore[arg-type]
            institution=owner,
            subject=f"{partner.name} — {reason}",
            changes=[{"field": "participants", "old": partner.name, "new": ""}]
            + history.diff(before, history.snapshot(plan, history.PEOPLE_FIELDS)),
        )
        audit(
            actor=acting_user,
            action=AuditAction.UPDATE,
            obj=plan,
            fields=["participants", *(["steps"] if steps else []), *left_people],
            reason=reason,
            institution=owner,
        )
        if person is not None:
            # No acting institution: the steps came back as a consequence, and the
            # person now holding them is of the owner's side.
            events.emit(
                "reintegration.partner_left",
                target=plan,
                actor=acting_user,
                user_id=person.pk,
                steps=len(steps),
                partner_id=partner.pk,
            )
        returned += len(steps)
    return returned


def plans_on_share_ended(*, share, acting_user: User | None, reason: str) -> None:
    """The `client_share_ended` hook: the partner lost the client."""
    plans_release_partner(
        client=share.client, partner=share.partner, acting_user=acting_user, reason=reason
    )


def plans_on_joint_plans_lost(a: Institution, b: Institution, reason: str) -> None:
    """The `scope_lost:joint_plans` hook: neither sees the other's plans."""
    reason = reason or _("no agreement in force covers joint plans")
    for owner, partner in ((a, b), (b, a)):
        clients = Client.objects.filter(
            owner=owner,
            reintegration_plans__status=PlanStatus.OPEN,
            reintegration_plans__participants__institution=partner,
        ).distinct()
        for client in clients:
            plans_release_partner(client=client, partner=partner, acting_user=None, reason=reason)


# --- the daily pass ---------------------------------------------------------------
DAILY_JOB = "reintegration.plans_daily"


@transaction.atomic
def plans_run_daily(*, today: dt.date | None = None) -> dict[str, int]:
    """Beat, daily: tell the plan's people of each open step that became overdue and
    of each review that fell due since the last run — today alone when it ran
    yesterday; every day it missed (up to `CATCH_UP_DAYS`) when it did not. Each is
    told once: the event's id is derived from the step or plan and its date, so a
    run repeated, or overlapping the days of another, tells nobody twice."""
    today = today or timezone.localdate()
    first = catch_up_from(DAILY_JOB, today)
    # A step becomes overdue the day after its due date.
    overdue = Step.objects.filter(
        plan__status=PlanStatus.OPEN,
        status__in=OPEN_STEP_STATUSES,
        due_date__gte=first - dt.timedelta(days=1),
        due_date__lt=today,
    ).only("pk", "institution_id", "due_date")
    for step in overdue:
        due = step.due_date.isoformat()
        events.emit(
            "reintegration.step_overdue",
            target=step,
            institution=step.institution_id,
            key=due,
            due_on=due,
        )
    reviews = ReintegrationPlan.objects.filter(
        status=PlanStatus.OPEN, next_review_date__gte=first, next_review_date__lte=today
    ).only("pk", "next_review_date")
    for plan in reviews:
        due = plan.next_review_date.isoformat()  # type: ignore[union-attr]
        events.emit("reintegration.review_due", target=plan, key=due, due_on=due)
    job_done(DAILY_JOB, today)
    return {"steps_overdue": len(overdue), "reviews_due": len(reviews)}
