"""Writes of R7: programme records, proposing a client to a PUP, the queue's
take / act / close, withdrawing when the agreement stops covering promotion,
the weekly digest of overdue cases, and anonymisation."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import Scope
from agreements.scope import agreement_covers
from clients.models import Client, ClientStatus, Consent
from cooperation import events
from cooperation.audit import audit
from cooperation.dailyruns import job_done, last_done
from cooperation.models import (
    AuditAction,
    Institution,
    PesSubkind,
)
from cooperation.permissions import CHANGE, VIEW, membership_of, require
from cooperation.roles import is_labour_office
from cooperation.services import object_share, object_unshare

from .models import (
    OPEN_STATUSES,
    PRIORITY_WEIGHTS,
    ActionKind,
    CaseAction,
    CaseOutcome,
    CaseStatus,
    Programme,
    ProgrammeKind,
    ProgrammeOutcome,
    PromotionCase,
)
from .permissions import ACT, PROMOTE, PROPOSE, WORK
from .selectors import overdue_cases

if TYPE_CHECKING:
    from cooperation.models import Membership, User
    from joboffers.models import JobOffer
    from partners.models import Referral

SHARED_ACTIONS = [VIEW, CHANGE]
SNAPSHOT_FIELDS = ["first_name", "last_name", "pesel", "phone"]
READINESS_FIELDS = ["skills", "availability", "constraints", "preferred_work"]


# --- programmes -----------------------------------------------------------------
@transaction.atomic
def programme_record(
    *,
    client: Client,
    acting_user: User,
    kind: str,
    institution_name: str,
    started_on: dt.date,
    note: str = "",
) -> Programme:
    """Record a social contract or programme the client has started."""
    require(acting_user, client, PROMOTE)
    membership: Membership = membership_of(acting_user)  # type: ignore[assignment]
    if started_on > timezone.localdate():
        raise ValidationError({"started_on": _("The programme cannot start in the future.")})
    programme = Programme(
        client=client,
        kind=kind,
        institution_name=institution_name.strip() or membership.institution.name,
        started_on=started_on,
        note=note.strip(),
        recorded_in=membership.institution,
        recorded_by=acting_user,
    )
    programme.full_clean()
    programme.save()
    audit(actor=acting_user, action=AuditAction.CREATE, obj=programme, fields=["kind"])
    return programme


@transaction.atomic
def programme_finish(
    *, programme: Programme, acting_user: User, outcome: str, ended_on: dt.date
) -> Programme:
    """Mark an ongoing programme completed or broken off. Completing it is a done step
    in the client's open reintegration plan, where the user's institution takes part."""
    require(acting_user, programme.client, PROMOTE)
    programme = Programme.objects.select_for_update().select_related("client").get(pk=programme.pk)
    if programme.outcome != ProgrammeOutcome.ONGOING:
        raise ValidationError(_("This programme has already ended."))
    if outcome not in (ProgrammeOutcome.COMPLETED, ProgrammeOutcome.BROKEN_OFF):
        raise ValidationError({"outcome": _("Choose whether it was completed or broken off.")})
    if ended_on > timezone.localdate() or ended_on < programme.started_on:
        raise ValidationError(
            {"ended_on": _("The end date must be between the start date and today.")}
        )
    programme.outcome, programme.ended_on = outcome, ended_on
    programme.full_clean()
    if outcome == ProgrammeOutcome.COMPLETED:
        programme.plan_step = _plan_step_done(programme, acting_user)
    programme.save()
    audit(
        actor=acting_user, action=AuditAction.UPDATE, obj=programme, fields=["outcome", "ended_on"]
    )
    return programme


def _plan_step_done(programme: Programme, user: User):
    """Add a done step to the client's open plan, if the user's institution takes part in it."""
    from reintegration.models import Area, Participant, StepStatus
    from reintegration.selectors import plan_for_client
    from reintegration.services import goal_add, step_add

    membership = membership_of(user)
    plan = plan_for_client(user, programme.client)
    if (
        plan is None
        or membership is None
        or not Participant.objects.filter(plan=plan, institution=membership.institution).exists()
    ):
        return None
    goal = plan.goals.order_by("position", "pk").first() or goal_add(
        plan=plan, acting_user=user, title=_("Return to the labour market")
    )
    return step_add(
        plan=plan,
        acting_user=user,
        goal=goal,
        area=Area.EXPERIENCE,
        title=_("%(kind)s completed") % {"kind": ProgrammeKind(programme.kind).label},
        institution=membership.institution,
        responsible=user,
        due_date=programme.ended_on,  # type: ignore[arg-type]
        status=StepStatus.DONE,
        outcome=_("Completed on %(d)s (%(inst)s).")
        % {"d": programme.ended_on.strftime("%d.%m.%Y"), "inst": programme.institution_name},  # type: ignore[union-attr]
    )


# --- proposing ------------------------------------------------------------------
def promotion_consent(client: Client, target: Institution) -> Consent | None:
    """The client's active consent for the PUP that covers the promotion queue."""
    today = timezone.localdate()
    consents = Consent.objects.filter(
        client=client, partner=target, withdrawn_at__isnull=True, lapsed=False
    ).filter(valid_until__gte=today)
    return next((c for c in consents if Scope.PROMOTION in c.scopes), None)


@transaction.atomic
def case_propose(
    *,
    programme: Programme,
    acting_user: User,
    target: Institution,
    skills: str,
    availability: str,
    preferred_work: str,
    constraints: str = "",
    priorities: dict[str, bool] | None = None,
) -> PromotionCase:
    """Propose the client of a completed programme to a PUP. Needs an agreement in
    force covering the promotion queue and the client's consent for that PUP."""
    require(acting_user, programme.client, PROMOTE)
    client = programme.client
    membership: Membership = membership_of(acting_user)  # type: ignore[assignment]
    if client.status != ClientStatus.ACTIVE:
        raise ValidationError(_("A closed client cannot be proposed."))
    if not programme.is_completed:
        raise ValidationError(_("Only a client who has completed the programme can be proposed."))
    _check_target(client, membership.institution, target)
    return _open_case(
        client=client,
        programme=programme,
        proposer=membership.institution,
        target=target,
        acting_user=acting_user,
        snapshot={
            "first_name": client.first_name,
            "last_name": client.last_name,
            "pesel": client.pesel,
            "phone": client.phone,
        },
        readiness={
            "skills": skills,
            "availability": availability,
            "constraints": constraints,
            "preferred_work": preferred_work,
        },
        priorities=priorities,
    )


def _check_target(client: Client, proposer: Institution, target: Institution) -> None:
    """The office must be a PUP under an agreement with the proposer covering the
    promotion queue, and the client must have consented to it."""
    if not is_labour_office(target) or target.pk == proposer.pk:
        raise ValidationError({"target": _("Choose a labour office (PUP).")})
    if not agreement_covers(proposer, target, Scope.PROMOTION):
        raise ValidationError(
            {"target": _("No agreement in force with this office covers the promotion queue.")}
        )
    if promotion_consent(client, target) is None:
        raise ValidationError(
            {
                "target": _(
                    "The client has no active consent for this office covering the promotion queue."
                )
            }
        )


def _open_case(
    *,
    client: Client,
    programme: Programme,
    proposer: Institution,
    target: Institution,
    acting_user: User,
    snapshot: dict[str, str],
    readiness: dict[str, str],
    priorities: dict[str, bool] | None,
) -> PromotionCase:
    if PromotionCase.objects.filter(
        client=client, target=target, status__in=OPEN_STATUSES
    ).exists():
        raise ValidationError(_("The client is already in this office's queue."))
    flags = {k: bool((priorities or {}).get(k)) for k in PRIORITY_WEIGHTS}
    now = timezone.now()
    case = PromotionCase(
        client=client,
        programme=programme,
        proposer=proposer,
        target=target,
        proposed_by=acting_user,
        proposed_at=now,
        last_activity_at=now,
        **snapshot,
        **{k: v.strip() for k, v in readiness.items()},
        priority=sum(PRIORITY_WEIGHTS[k] for k, on in flags.items() if on),
        **flags,
    )
    case.full_clean()
    case.save()
    audit(
        actor=acting_user,
        action=AuditAction.CREATE,
        obj=case,
        fields=[*SNAPSHOT_FIELDS, *READINESS_FIELDS],
    )
    object_share(
        obj=case,
        institution=target,
        actions=SHARED_ACTIONS,
        acting_user=acting_user,
        reason=_("proposed for promotion"),
    )
    events.emit("promotion.proposed", target=case, actor=acting_user, institution=proposer)
    return case


# Social integration centres and clubs run programmes themselves: their staff
# propose a participant they received through a referral.
PROGRAMME_OF_SUBKIND = {PesSubkind.CIS: ProgrammeKind.CIS, PesSubkind.KIS: ProgrammeKind.KIS}


@transaction.atomic
def case_propose_from_referral(
    *,
    referral: Referral,
    acting_user: User,
    target: Institution,
    skills: str,
    availability: str,
    preferred_work: str,
    constraints: str = "",
    priorities: dict[str, bool] | None = None,
) -> PromotionCase:
    """A CIS or KIS proposes a participant who completed its programme (a completed
    referral) to a PUP. Needs the organisation's agreement with the PUP covering the
    promotion queue and the client's consent for that PUP. The case carries only
    what the referral shared (no PESEL); the referring institution follows it."""
    require(acting_user, referral, PROPOSE)
    partner = referral.partner
    client = referral.client
    if client.status != ClientStatus.ACTIVE:
        raise ValidationError(_("A closed client cannot be proposed."))
    _check_target(client, partner, target)
    ended = referral.completed_on or timezone.localdate()
    programme, _created = Programme.objects.get_or_create(
        client=client,
        recorded_in=partner,
        kind=PROGRAMME_OF_SUBKIND[partner.pes_subkind],  # type: ignore[index]
        ended_on=ended,
        defaults={
            "institution_name": partner.name,
            "started_on": min(referral.start_date or timezone.localdate(referral.sent_at), ended),
            "outcome": ProgrammeOutcome.COMPLETED,
            "note": "",
            "recorded_by": acting_user,
        },
    )
    case = _open_case(
        client=client,
        programme=programme,
        proposer=partner,
        target=target,
        acting_user=acting_user,
        snapshot={
            "first_name": referral.first_name,
            "last_name": referral.last_name,
            "pesel": "",
            "phone": referral.phone,
        },
        readiness={
            "skills": skills,
            "availability": availability,
            "constraints": constraints,
            "preferred_work": preferred_work,
        },
        priorities=priorities,
    )
    # The client's own institution sees the progress on the client's timeline.
    object_share(
        obj=case,
        institution=client.owner,
        actions=[VIEW],
        acting_user=acting_user,
        reason=_("proposal for promotion from %(org)s") % {"org": partner.name},
    )
    return case


# --- the queue ------------------------------------------------------------------
def _check_taken(case: PromotionCase) -> None:
    if case.status != CaseStatus.TAKEN:
        raise ValidationError(_("Take the case before recording actions or closing it."))


@transaction.atomic
def case_take(*, case: PromotionCase, acting_user: User) -> PromotionCase:
    """Assign a waiting case to the acting advisor. Of two advisors taking the same
    case at once exactly one wins: the row is locked, and the update only applies
    while the case is still unassigned."""
    require(acting_user, case, WORK)
    locked = PromotionCase.objects.select_for_update().get(pk=case.pk)
    if locked.status != CaseStatus.PROPOSED:
        raise ValidationError(_("Another advisor has already taken this case."))
    now = timezone.now()
    won = PromotionCase.objects.filter(
        pk=case.pk, assigned_to__isnull=True, status=CaseStatus.PROPOSED
    ).update(status=CaseStatus.TAKEN, assigned_to=acting_user, taken_at=now, last_activity_at=now)
    if won != 1:
        raise ValidationError(_("Another advisor has already taken this case."))
    locked.refresh_from_db()
    audit(actor=acting_user, action=AuditAction.UPDATE, obj=locked, fields=["assigned_to"])
    events.emit("promotion.taken", target=locked, actor=acting_user, institution=locked.target_id)
    return locked


@transaction.atomic
def case_action_add(
    *,
    case: PromotionCase,
    acting_user: User,
    kind: str,
    happened_on: dt.date,
    note: str = "",
    offer: JobOffer | None = None,
) -> CaseAction:
    """Record what the advisor did (offer, internship referral, training, employer contact)."""
    require(acting_user, case, ACT)
    case = PromotionCase.objects.select_for_update().get(pk=case.pk)
    require(acting_user, case, ACT)  # again on the locked row: another may have taken it
    _check_taken(case)
    if happened_on > timezone.localdate():
        raise ValidationError({"happened_on": _("The action cannot be in the future.")})
    if offer is not None and offer.institution_id != case.target_id:
        raise ValidationError({"offer": _("Choose an offer of this labour office.")})
    if kind == ActionKind.OFFER and offer is None:
        raise ValidationError({"offer": _("Choose the job offer proposed.")})
    action = CaseAction(
        case=case,
        kind=kind,
        happened_on=happened_on,
        offer=offer,
        note=note.strip(),
        created_by=acting_user,
    )
    action.full_clean()
    action.save()
    now = timezone.now()
    case.first_action_at = case.first_action_at or now
    case.last_activity_at = now
    case.save(update_fields=["first_action_at", "last_activity_at"])
    audit(actor=acting_user, action=AuditAction.CREATE, obj=action, fields=["kind", "note"])
    events.emit(
        "promotion.action",
        target=case,
        actor=acting_user,
        institution=case.target_id,
        action=kind,
        action_id=action.pk,
    )
    return action


@transaction.atomic
def case_close(
    *, case: PromotionCase, acting_user: User, outcome: str, note: str = ""
) -> PromotionCase:
    """Close a taken case with its outcome."""
    require(acting_user, case, ACT)
    case = PromotionCase.objects.select_for_update().get(pk=case.pk)
    require(acting_user, case, ACT)  # again on the locked row: another may have taken it
    _check_taken(case)
    if outcome not in CaseOutcome.values:
        raise ValidationError({"outcome": _("Choose the outcome.")})
    now = timezone.now()
    case.status, case.outcome, case.closing_note = CaseStatus.CLOSED, outcome, note.strip()
    case.closed_at = case.last_activity_at = now
    case.full_clean()
    case.save()
    audit(actor=acting_user, action=AuditAction.UPDATE, obj=case, fields=["status", "outcome"])
    events.emit(
        "promotion.closed",
        target=case,
        actor=acting_user,
        institution=case.target_id,
        outcome=outcome,
    )
    return case


def cases_withdraw_between(a: Institution, b: Institution, reason: str) -> int:
    """The agreement no longer covers promotion between A and B: open cases between
    them are withdrawn and the office loses access to every case of the pair."""
    ended = 0
    now = timezone.now()
    for proposer, target in ((a, b), (b, a)):
        cases = PromotionCase.objects.filter(proposer=proposer, target=target)
        ended += cases.filter(status__in=OPEN_STATUSES).update(
            status=CaseStatus.WITHDRAWN, last_activity_at=now, closing_note=reason[:250]
        )
        for case in cases:
            object_unshare(
                obj=case,
                institution=target,
                actions=SHARED_ACTIONS,
                acting_user=None,
                reason=reason,
            )
    return ended


# --- digest and anonymisation ---------------------------------------------------------
WEEKLY_DIGEST_JOB = "promotion.overdue_digest"


@transaction.atomic
def overdue_digest_send(*, now: dt.datetime | None = None) -> int:
    """Tell each office's advisors and coordinators (a `promotion.overdue` notice, by
    e-mail as each chose) how many cases are untouched for 14 days. The event carries
    only the count. Returns the offices told.

    Weekly: beat asks every day, and the first run of the week (Monday's, or the next
    day's when beat did not run on Monday) tells; the later ones tell nothing. Before
    the first recorded run, only a Monday tells, as the Monday-only schedule did. Each
    office is told once a week: the event's id is derived from the office and the week."""
    today = timezone.localdate(now)
    monday = today - dt.timedelta(days=today.weekday())
    last = last_done(WEEKLY_DIGEST_JOB)
    if (last is not None and last >= monday) or (last is None and today != monday):
        job_done(WEEKLY_DIGEST_JOB, today)
        return 0
    year, week, _day = today.isocalendar()
    counts = list(
        overdue_cases(PromotionCase.objects.all(), now)
        .values("target")
        .annotate(n=Count("pk"))
        .order_by("target")
    )
    offices = Institution.objects.in_bulk([row["target"] for row in counts])
    for row in counts:
        office = offices[row["target"]]
        events.emit("promotion.overdue", target=office, key=f"{year}-W{week:02d}", count=row["n"])
    job_done(WEEKLY_DIGEST_JOB, today)
    return len(counts)


# What erasing a case's personal data blanks; status, dates, priority flags and
# outcome stay, so the office's figures do not change.
ERASED_CASE_FIELDS = {
    "first_name": "Zanonimizowany",
    "pesel": "",
    "phone": "",
    "skills": "",
    "availability": "",
    "constraints": "",
    "preferred_work": "",
    "closing_note": "",
}


def cases_anonymise(*, client: Client, acting_user: User | None) -> int:
    """Erase the snapshot, readiness summary and free text of the client's cases."""
    cases = PromotionCase.objects.filter(client=client)
    CaseAction.objects.filter(case__in=cases).update(note="")
    client.programmes.update(note="")
    return cases.update(**ERASED_CASE_FIELDS, last_name=f"klient #{client.pk}")


def case_erase(case: PromotionCase, *, reason: str) -> None:
    """Erase one closed case's copy of the client's data (the retention pass)."""
    CaseAction.objects.filter(case=case).update(note="")
    PromotionCase.objects.filter(pk=case.pk).update(
        **ERASED_CASE_FIELDS, last_name=f"klient #{case.client_id}"
    )
    audit(
        actor=None,
        action=AuditAction.DELETE,
        obj=case,
        fields=sorted(ERASED_CASE_FIELDS),
        reason=reason,
        institution=case.proposer,
    )
