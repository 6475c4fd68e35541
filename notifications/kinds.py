"""Every kind of notice in one place: who is told, in what words, where the notice
leads, and whether the person may still open it.

A service emits an event (`cooperation.events.emit("referrals.accepted", target=...)`);
the notification centre looks its kind up here, asks `recipients` who is told, and
writes one notice per person (once per event id), sending e-mail as each person chose.

Rules for a declaration:
- `recipients(event, target)` returns users of the side that did NOT act — the people
  responsible on the other side (the actor is never told of their own action);
- `text(event, target)` is the notice line shown in the app to someone who may see the
  target; `email_subject` is what an e-mail says: only the kind of thing that
  happened, never a name, PESEL, address or need;
- `url(event, target)` is the page the notice opens; `may_see(user, target)` is asked
  when the notice is listed, opened or put in a digest: access can end after the event;
- `mailboxes(event, target)` (optional) names shared addresses that are no one's
  account — a service's intake mailbox — e-mailed once per event with the subject and
  a link to `url`, like a person's e-mail (see `notices_fan_out`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from cooperation.events import Event
from cooperation.models import Institution, User
from cooperation.permissions import can, institution_of, membership_of, policy_for, visible
from cooperation.roles import (
    CASEWORK_ROLES,
    COORDINATOR_ROLES,
    LABOUR_OFFICE_KINDS,
    MANAGING_ROLES,
    PARTNER_ROLES,
    PROMOTION_VIEW_ROLES,
    PROMOTION_WORKER_ROLES,
    REFERRAL_ROLES,
    SEPI_KINDS,
    SEPI_ROLES,
)


@dataclass(frozen=True)
class Kind:
    name: str  # the event's kind, "<app>.<what happened>"
    group: str | Promise  # a heading on the preferences page, e.g. "Promocja"
    label: str | Promise  # what a person chooses on the preferences page
    email_subject: str | Promise  # no personal data
    recipients: Callable[[Event, Any], Iterable[Any]]
    text: Callable[[Event, Any], str]
    url: Callable[[Event, Any], str]
    may_see: Callable[[Any, Any], bool]
    # What a person gets until they choose otherwise (notifications.models.Mode).
    default_mode: str = "digest"
    # `may_see` for many targets of one model at once (a page of notices, a digest):
    # the pks of those the person may still open, in a query or two whatever their
    # number. Filled by `declare` for the shared checks (see SEE_MANY); None: `may_see`
    # is asked of each target (only for checks that cost no query).
    may_see_many: Callable[[Any, list[Any]], set[int]] | None = None
    # Whom the kind can reach at all (cooperation.roles): the preferences page shows a
    # person only the kinds that can reach their role and their institution's kind.
    # Empty: every role / every kind of institution.
    audience: frozenset[str] = frozenset()
    institution_kinds: frozenset[str] = frozenset()
    # Shared mailboxes told besides the people (addresses that are no one's account,
    # e.g. a service's intake address): each gets one e-mail per event, with the
    # subject and a link to `url` only. None: no mailbox.
    mailboxes: Callable[[Event, Any], Iterable[str]] | None = None

    def reaches(self, membership: Any) -> bool:
        """Can a notice of this kind ever reach someone with this membership?"""
        if membership is None:
            return False
        if self.audience and membership.role not in self.audience:
            return False
        kind = membership.institution.kind
        return not self.institution_kinds or kind in self.institution_kinds

    def visible_among(self, user: Any, targets: list[Any]) -> set[int]:
        """The pks of `targets` (one model) the person may still open."""
        if self.may_see_many is not None:
            return self.may_see_many(user, targets)
        return {t.pk for t in targets if self.may_see(user, t)}


KINDS: dict[str, Kind] = {}


# The batched form of each shared `may_see` check (filled below, next to the checks).
SEE_MANY: dict[Callable[[Any, Any], bool], Callable[[Any, list[Any]], set[int]]] = {}


def declare(kind: Kind) -> Kind:
    if kind.name in KINDS:
        raise ValueError(f"notice kind {kind.name!r} declared twice")
    if kind.may_see_many is None and kind.may_see in SEE_MANY:
        kind = replace(kind, may_see_many=SEE_MANY[kind.may_see])
    KINDS[kind.name] = kind
    return kind


def viewable(user: Any, targets: list[Any]) -> set[int]:
    """The pks of the targets (one model) the person may VIEW: one query, the policy
    layer's `visible` filtered by the targets' ids — the same answer as
    `can(user, target, "view")` for each (no policy has a rule of its own for VIEW)."""

    targets = [t for t in targets if t is not None]
    if not targets:
        return set()
    ids = {t.pk for t in targets}
    return set(visible(targets[0].__class__, user).filter(pk__in=ids).values_list("pk", flat=True))


def viewable_through(field: str) -> Callable[[Any, list[Any]], set[int]]:
    """The batched "may VIEW the target's `field`" (a foreign key): one query."""

    def many(user: Any, targets: list[Any]) -> set[int]:

        targets = [t for t in targets if t is not None]
        if not targets:
            return set()
        related = targets[0].__class__._meta.get_field(field).related_model
        ids = {getattr(t, f"{field}_id") for t in targets}
        seen = set(visible(related, user).filter(pk__in=ids).values_list("pk", flat=True))
        return {t.pk for t in targets if getattr(t, f"{field}_id") in seen}

    return many


# --- helpers the declarations share ------------------------------------------------
# Recipient functions query the feature apps' models, imported inside the functions
# (the feature apps never import this module; they only `emit`).


def members(institution_ids: Iterable[int | None], roles: Iterable[str]) -> list[User]:
    """The active people of these institutions with one of `roles`."""
    ids = [pk for pk in institution_ids if pk is not None]
    if not ids:
        return []
    return list(
        User.objects.filter(
            is_active=True,
            memberships__is_active=True,
            memberships__institution_id__in=ids,
            memberships__role__in=list(roles),
        ).distinct()
    )


def still_member(user: User | None, institution_id: int | None) -> list[User]:
    """[user] while they still act for the institution, else nobody."""
    if user is None or not user.is_active:
        return []
    membership = membership_of(user)
    return [user] if membership and membership.institution_id == institution_id else []


def works_for(user: Any, institution_id: int | None) -> bool:
    """The person works on clients (a casework role) for this institution."""
    membership = membership_of(user)
    return (
        membership is not None
        and membership.institution_id == institution_id
        and membership.role in CASEWORK_ROLES
    )


def told(
    event: Event,
    target: Any,
    people: Iterable[Any],
    may_see: Callable[[Any, Any], bool] | None = None,
) -> list[Any]:
    """`people` without the empty, the inactive, the actor, the acting institution's
    people (the other side is told, not one's own colleagues) and anyone who may not
    see the target (`may_see`, VIEW by default). Each person once, in the order given."""
    check = may_see or may_view
    chosen: dict[int, Any] = {}
    for person in people:
        if person is None or person.pk in chosen or not person.is_active:
            continue
        if event.actor_id is not None and person.pk == event.actor_id:
            continue
        home = institution_of(person)
        if home is None:
            continue
        if event.institution_id is not None and home.pk == event.institution_id:
            continue
        if check(person, target):
            chosen[person.pk] = person
    return list(chosen.values())


def may_view(user: Any, target: Any) -> bool:
    """May the person (still) open the target? The policy layer's VIEW, so access ended
    since the event (a share, an agreement, a membership) gives False."""
    return target is not None and can(user, target, "view")


SEE_MANY[may_view] = viewable


def in_institution(user: Any, target: Any) -> bool:
    """The target is the person's own institution (a notice about its queue, its reports)."""
    membership = membership_of(user)
    return membership is not None and target is not None and membership.institution_id == target.pk


def _institution_name(event: Event) -> str:

    if event.institution_id is None:
        return _("The system")
    institution = Institution.objects.filter(pk=event.institution_id).first()
    return institution.name if institution else _("The system")


def raised_on(event: Event) -> dt.date:
    """The local day the event was raised: a daily pass that caught up on a day it
    missed raises it after the day it speaks of, and its text then says the date."""
    return timezone.localdate(dt.datetime.fromisoformat(event.at))


def _url(obj: Any, suffix: str = "") -> str:
    return (obj.get_absolute_url() + suffix) if obj is not None else ""


# Promotion
def _case_name(case: Any) -> str:
    return f"{case.last_name} {case.first_name}".strip()


def _outcome(event: Event) -> str:
    from promotion.models import CaseOutcome

    value = event.data.get("outcome", "")
    return str(CaseOutcome(value).label) if value in CaseOutcome.values else str(value)


def _action(event: Event) -> str:
    from promotion.models import ActionKind

    value = event.data.get("action", "")
    return str(ActionKind(value).label) if value in ActionKind.values else str(value)


def _to_proposer(event: Event, case: Any) -> list[User]:
    return still_member(case.proposed_by, case.proposer_id)


def _case_url(event: Event, case: Any) -> str:
    return reverse("promotion:detail", args=[case.pk])


declare(
    Kind(
        name="promotion.proposed",
        audience=PROMOTION_WORKER_ROLES & PROMOTION_VIEW_ROLES,
        institution_kinds=LABOUR_OFFICE_KINDS,
        group=gettext_lazy("Promotion"),
        label=gettext_lazy("A client is proposed to our promotion queue"),
        email_subject=gettext_lazy("A client has been proposed to your promotion queue"),
        recipients=lambda event, case: members([case.target_id], PROMOTION_WORKER_ROLES),
        text=lambda event, case: (
            _("%(inst)s proposed %(name)s to the promotion queue")
            % {"inst": case.proposer.name, "name": _case_name(case)}
        ),
        url=_case_url,
        may_see=may_view,
        default_mode="immediate",
    )
)
declare(
    Kind(
        name="promotion.taken",
        audience=PROMOTION_VIEW_ROLES,
        group=gettext_lazy("Promotion"),
        label=gettext_lazy("The labour office takes a case we proposed"),
        email_subject=gettext_lazy("The labour office has taken a promotion case you proposed"),
        recipients=_to_proposer,
        text=lambda event, case: (
            _("%(inst)s took the promotion case of %(name)s")
            % {"inst": case.target.name, "name": _case_name(case)}
        ),
        url=_case_url,
        may_see=may_view,
    )
)
declare(
    Kind(
        name="promotion.action",
        audience=PROMOTION_VIEW_ROLES,
        group=gettext_lazy("Promotion"),
        label=gettext_lazy("The labour office records an action in a case we proposed"),
        email_subject=gettext_lazy("The labour office has recorded an action in a promotion case"),
        recipients=_to_proposer,
        text=lambda event, case: (
            _("%(inst)s recorded in the case of %(name)s: %(action)s")
            % {"inst": case.target.name, "name": _case_name(case), "action": _action(event)}
        ),
        url=_case_url,
        may_see=may_view,
    )
)
declare(
    Kind(
        name="promotion.closed",
        audience=PROMOTION_VIEW_ROLES,
        group=gettext_lazy("Promotion"),
        label=gettext_lazy("The labour office closes a case we proposed"),
        email_subject=gettext_lazy("A promotion case you proposed has been closed"),
        recipients=_to_proposer,
        text=lambda event, case: (
            _("%(inst)s closed the promotion case of %(name)s: %(outcome)s")
            % {"inst": case.target.name, "name": _case_name(case), "outcome": _outcome(event)}
        ),
        url=_case_url,
        may_see=may_view,
        default_mode="immediate",
    )
)
declare(
    Kind(
        name="promotion.overdue",
        audience=PROMOTION_WORKER_ROLES,
        institution_kinds=LABOUR_OFFICE_KINDS,
        group=gettext_lazy("Promotion"),
        label=gettext_lazy("Cases in our queue untouched for 14 days (weekly)"),
        email_subject=gettext_lazy("Promotion queue: cases untouched for 14 days"),
        recipients=lambda event, office: members([office.pk], PROMOTION_WORKER_ROLES),
        text=lambda event, office: (
            _("Cases in the promotion queue untouched for 14 days: %(n)s")
            % {"n": event.data.get("count", "")}
        ),
        url=lambda event, office: reverse("promotion:queue") + "?overdue=1",
        may_see=in_institution,
        default_mode="immediate",
    )
)


# --- Joint plans (reintegration) -----------------------------------------------------
# Told: the plan's named people (social worker, client advisor, coordinator) and the
# people responsible for its open steps — the owner's and the participants' people —
# except the actor and the acting institution, and only while they may see the plan.

PLANS = gettext_lazy("Joint plans")


def _plan_of(target: Any) -> Any:
    return getattr(target, "plan", target)


def _plan_may_see(user: Any, target: Any) -> bool:
    return may_view(user, _plan_of(target))


def _plans_may_see(user: Any, targets: list[Any]) -> set[int]:
    """`_plan_may_see` of many plans, or many steps (through their plan): one query."""
    if targets and any(f.name == "plan" for f in targets[0]._meta.fields):
        return viewable_through("plan")(user, targets)
    return viewable(user, targets)


SEE_MANY[_plan_may_see] = _plans_may_see


def _plan_people(event: Event, target: Any) -> list[Any]:
    from reintegration.models import OPEN_STEP_STATUSES

    plan = _plan_of(target)
    if plan is None:
        return []
    named = [plan.social_worker, plan.client_advisor, plan.coordinator]
    if target is not plan:
        named.insert(0, target.responsible)
    responsible = [
        step.responsible
        for step in plan.steps.filter(status__in=OPEN_STEP_STATUSES).select_related("responsible")
    ]
    return told(event, target, [*named, *responsible], _plan_may_see)


def _plan_url(event: Event, target: Any) -> str:
    return _url(_plan_of(target))


def _plan_number(target: Any) -> Any:
    plan = _plan_of(target)
    return plan.pk if plan is not None else "?"


declare(
    Kind(
        name="reintegration.step_added",
        audience=CASEWORK_ROLES,
        group=PLANS,
        label=gettext_lazy("A partner added a step to a joint plan"),
        email_subject=gettext_lazy("A step was added to a joint plan"),
        recipients=_plan_people,
        text=lambda event, target: (
            _("%(institution)s added a step to joint plan no. %(n)s")
            % {"institution": _institution_name(event), "n": _plan_number(target)}
        ),
        url=_plan_url,
        may_see=_plan_may_see,
    )
)
declare(
    Kind(
        name="reintegration.step_completed",
        audience=CASEWORK_ROLES,
        group=PLANS,
        label=gettext_lazy("A partner completed a step of a joint plan"),
        email_subject=gettext_lazy("A step of a joint plan was completed"),
        recipients=_plan_people,
        text=lambda event, target: (
            _("%(institution)s completed a step of joint plan no. %(n)s")
            % {"institution": _institution_name(event), "n": _plan_number(target)}
        ),
        url=_plan_url,
        may_see=_plan_may_see,
    )
)
declare(
    Kind(
        name="reintegration.step_overdue",
        audience=CASEWORK_ROLES,
        group=PLANS,
        label=gettext_lazy("A step of a joint plan is past its due date"),
        email_subject=gettext_lazy("A step of a joint plan is past its due date"),
        recipients=_plan_people,
        text=lambda event, target: (
            _("A step of %(institution)s in joint plan no. %(n)s is past its due date")
            % {"institution": _institution_name(event), "n": _plan_number(target)}
        ),
        url=_plan_url,
        may_see=_plan_may_see,
    )
)


def _review_due_text(event: Event, target: Any) -> str:
    """Due today; or on a past date when the daily pass catches up on days it missed."""
    due = event.data.get("due_on")
    if due and dt.date.fromisoformat(due) < raised_on(event):
        return _("The review of joint plan no. %(n)s was due on %(date)s") % {
            "n": _plan_number(target),
            "date": dt.date.fromisoformat(due).strftime("%d.%m.%Y"),
        }
    return _("The review of joint plan no. %(n)s is due today") % {"n": _plan_number(target)}


declare(
    Kind(
        name="reintegration.review_due",
        audience=CASEWORK_ROLES,
        group=PLANS,
        label=gettext_lazy("A joint plan's review is due"),
        email_subject=gettext_lazy("A joint plan's review is due"),
        recipients=_plan_people,
        text=_review_due_text,
        url=_plan_url,
        may_see=_plan_may_see,
    )
)


def _partner_left_people(event: Event, target: Any) -> list[Any]:

    person = User.objects.filter(pk=int(event.data.get("user_id") or 0)).first()
    return told(event, target, [person], _plan_may_see)


def _partner_left_text(event: Event, target: Any) -> str:

    steps = int(event.data.get("steps", 0))
    head = _("A partner institution left joint plan no. %(n)s.") % {"n": _plan_number(target)}
    if not steps:
        return head
    tail = ngettext(
        "%(k)s open step returned to your institution and is now assigned to you.",
        "%(k)s open steps returned to your institution and are now assigned to you.",
        steps,
    ) % {"k": steps}
    return f"{head} {tail}"


declare(
    Kind(
        name="reintegration.partner_left",
        audience=CASEWORK_ROLES,
        group=PLANS,
        label=gettext_lazy("A partner left a joint plan and its steps came back to you"),
        email_subject=gettext_lazy("A partner institution left a joint plan"),
        recipients=_partner_left_people,
        text=_partner_left_text,
        url=_plan_url,
        may_see=_plan_may_see,
    )
)


# --- Referrals (partners) ------------------------------------------------------------
# The partner side: the organisation's people who handle referrals (staff and its
# coordinator). The referring side: the worker who sent it, while still there.
# Only those who may still open the referral (its grant goes with the agreement or
# the consent) are told.

REFERRALS = gettext_lazy("Referrals")
PARTNER_SIDE, REFERRER_SIDE = "partner", "referrer"


def _referral_people(*sides: str) -> Callable[[Event, Any], list[Any]]:
    def recipients(event: Event, referral: Any) -> list[Any]:

        if referral is None:
            return []
        people: list[Any] = []
        if PARTNER_SIDE in sides:
            people += members([referral.partner_id], PARTNER_ROLES)
        if REFERRER_SIDE in sides:
            people.append(referral.created_by)
        return told(event, referral, people, may_view)

    return recipients


def _referral_text(message: str) -> Callable[[Event, Any], str]:
    def text(event: Event, referral: Any) -> str:
        values = {
            "institution": _institution_name(event),
            "number": getattr(referral, "number", "?"),
            "date": referral.respond_by.strftime("%d.%m.%Y") if referral is not None else "",
        }
        return _(message) % values

    return text


def _referral_url(event: Event, referral: Any) -> str:
    return _url(referral)


def _service_mailbox(event: Event, referral: Any) -> list[str]:
    """The service's contact address (an organisation's shared intake mailbox, e.g.
    rekrutacja@...), as the organisation was e-mailed before the centre — while the
    organisation still holds its grant on the referral (the link must open for it)."""
    from partners.models import ReferralGroupObjectPermission

    address = (referral.service.contact_email or "").strip() if referral is not None else ""
    if not address:
        return []
    granted = ReferralGroupObjectPermission.objects.filter(
        content_object=referral,
        group_id=referral.partner.group_id,
        permission__codename=policy_for(type(referral)).codename("view"),
    ).exists()
    return [address] if granted else []


for _name, _label, _subject, _text, _sides in (
    (
        "sent",
        gettext_lazy("A new referral to your organisation"),
        gettext_lazy("A new referral is waiting for your answer"),
        gettext_noop("%(institution)s sent referral no. %(number)s; please answer by %(date)s"),
        (PARTNER_SIDE,),
    ),
    (
        "accepted",
        gettext_lazy("Your referral was accepted"),
        gettext_lazy("Your referral was accepted"),
        gettext_noop("%(institution)s accepted referral no. %(number)s"),
        (REFERRER_SIDE,),
    ),
    (
        "declined",
        gettext_lazy("Your referral was declined"),
        gettext_lazy("Your referral was declined"),
        gettext_noop("%(institution)s declined referral no. %(number)s"),
        (REFERRER_SIDE,),
    ),
    (
        "overdue",
        gettext_lazy("A referral has had no answer for two working days"),
        gettext_lazy("A referral has had no answer for two working days"),
        gettext_noop("Referral no. %(number)s has had no answer; it was due by %(date)s"),
        (PARTNER_SIDE, REFERRER_SIDE),
    ),
    (
        "completed",
        gettext_lazy("A referral was completed and its outcome recorded"),
        gettext_lazy("A referral was completed and its outcome recorded"),
        gettext_noop("%(institution)s completed referral no. %(number)s and recorded the outcome"),
        (REFERRER_SIDE,),
    ),
    (
        "cancelled",
        gettext_lazy("A referral to your organisation was cancelled"),
        gettext_lazy("A referral to your organisation was cancelled"),
        gettext_noop("%(institution)s cancelled referral no. %(number)s"),
        (PARTNER_SIDE,),
    ),
    (
        "outcome",
        gettext_lazy("A service has ended: record the outcome of a referral"),
        gettext_lazy("The service has ended: record the outcome of a referral"),
        gettext_noop("The service of referral no. %(number)s has ended: record its outcome"),
        (PARTNER_SIDE,),
    ),
):
    declare(
        Kind(
            name=f"referrals.{_name}",
            audience=PARTNER_ROLES if _sides == (PARTNER_SIDE,) else REFERRAL_ROLES,
            group=REFERRALS,
            label=_label,
            email_subject=_subject,
            recipients=_referral_people(*_sides),
            text=_referral_text(_text),
            url=_referral_url,
            may_see=may_view,
            # The partner side's mail went to the service's mailbox too (before the centre).
            mailboxes=_service_mailbox if PARTNER_SIDE in _sides else None,
        )
    )


# --- Clients -------------------------------------------------------------------------
# The owning institution's side: the worker who registered the client (or recorded
# the consent) and the institution's coordinators. The partner's side: the person
# who asked for access, or the partner's coordinators when a share ends.

CLIENTS = gettext_lazy("Clients")


def _sharing_url(client_id: int) -> str:

    return reverse("clients:detail", args=[client_id]) + "?tab=sharing"


def _home_url(event: Event, target: Any) -> str:

    return reverse("home")


def _owner_people(client: Any, *first: Any) -> list[Any]:

    return [*first, client.created_by, *members([client.owner_id], COORDINATOR_ROLES)]


def _access_requested_people(event: Event, request: Any) -> list[Any]:
    if request is None:
        return []
    return told(event, request, _owner_people(request.client), may_view)


def _requester_may_see(user: Any, request: Any) -> bool:
    """The one who asked learns the answer while they still work for the asking
    institution (the request itself is the owner's record, so the policy on it
    speaks for the owner's side only)."""
    return request is not None and works_for(user, request.requester_id)


def _answer_people(event: Event, request: Any) -> list[Any]:
    if request is None:
        return []
    return told(event, request, [request.requested_by], _requester_may_see)


def _granted_may_see(user: Any, request: Any) -> bool:
    return request is not None and may_view(user, request.client)


SEE_MANY[_granted_may_see] = viewable_through("client")


declare(
    Kind(
        name="clients.access_requested",
        audience=CASEWORK_ROLES,
        group=CLIENTS,
        label=gettext_lazy("A partner asks for access to a client"),
        email_subject=gettext_lazy("A partner institution asks for access to a client"),
        recipients=_access_requested_people,
        text=lambda event, request: (
            _("%(institution)s asks for access to a client of yours")
            % {"institution": _institution_name(event)}
        ),
        url=lambda event, request: _sharing_url(request.client_id) if request else "",
        may_see=may_view,
    )
)
declare(
    Kind(
        name="clients.access_granted",
        audience=CASEWORK_ROLES,
        group=CLIENTS,
        label=gettext_lazy("Your request for access to a client was granted"),
        email_subject=gettext_lazy("Your request for access to a client was granted"),
        recipients=lambda event, request: (
            told(event, request, [request.requested_by], _granted_may_see) if request else []
        ),
        text=lambda event, request: (
            _("%(institution)s shared the client you asked about")
            % {"institution": _institution_name(event)}
        ),
        url=lambda event, request: _url(request.client) if request else "",
        may_see=_granted_may_see,
    )
)
declare(
    Kind(
        name="clients.access_declined",
        audience=CASEWORK_ROLES,
        group=CLIENTS,
        label=gettext_lazy("Your request for access to a client was declined"),
        email_subject=gettext_lazy("Your request for access to a client was declined"),
        recipients=_answer_people,
        text=lambda event, request: (
            _("%(institution)s declined your request for access")
            % {"institution": _institution_name(event)}
        ),
        url=_home_url,
        may_see=_requester_may_see,
    )
)


def _consent_people(event: Event, consent: Any) -> list[Any]:
    if consent is None:
        return []
    return told(event, consent, _owner_people(consent.client, consent.recorded_by), may_view)


def _consent_text(message: str) -> Callable[[Event, Any], str]:
    def text(event: Event, consent: Any) -> str:
        return _(message) % {
            "partner": consent.partner.name if consent is not None else "",
            "date": consent.valid_until.strftime("%d.%m.%Y") if consent is not None else "",
        }

    return text


declare(
    Kind(
        name="clients.consent_lapsing",
        audience=CASEWORK_ROLES,
        group=CLIENTS,
        label=gettext_lazy("A client's consent to sharing lapses in 30 days"),
        email_subject=gettext_lazy("A client's consent to sharing is about to lapse"),
        recipients=_consent_people,
        text=_consent_text(
            gettext_noop(
                "A client's consent for sharing with %(partner)s lapses on %(date)s: ask the "
                "client to renew it, or sharing will end"
            )
        ),
        url=lambda event, consent: _sharing_url(consent.client_id) if consent else "",
        may_see=may_view,
    )
)
declare(
    Kind(
        name="clients.consent_lapsed",
        audience=CASEWORK_ROLES,
        group=CLIENTS,
        label=gettext_lazy("A client's consent to sharing has lapsed"),
        email_subject=gettext_lazy("A client's consent to sharing has lapsed"),
        recipients=_consent_people,
        text=_consent_text(
            gettext_noop(
                "A client's consent for sharing with %(partner)s lapsed on %(date)s; "
                "sharing with them has ended"
            )
        ),
        url=lambda event, consent: _sharing_url(consent.client_id) if consent else "",
        may_see=may_view,
    )
)


def _share_ended_people(event: Event, share: Any) -> list[Any]:
    """The partner's coordinators; when the system ended it (consent lapsed, agreement
    lost), the owner's people too."""

    if share is None:
        return []
    people = members([share.partner_id], COORDINATOR_ROLES)
    if event.actor_id is None:
        people += _owner_people(share.client)
    return told(event, share, people, _share_ended_may_see)


def _share_ended_may_see(user: Any, share: Any) -> bool:
    """The partner may know that a share with it ended (the notice names no one and
    opens no record); the owner's side sees the share itself."""
    return share is not None and (works_for(user, share.partner_id) or may_view(user, share))


def _shares_ended_may_see(user: Any, shares: list[Any]) -> set[int]:
    partner = {s.pk for s in shares if works_for(user, s.partner_id)}
    return partner | viewable(user, [s for s in shares if s.pk not in partner])


SEE_MANY[_share_ended_may_see] = _shares_ended_may_see


declare(
    Kind(
        name="clients.share_ended",
        audience=CASEWORK_ROLES,
        group=CLIENTS,
        label=gettext_lazy("Sharing of a client ended"),
        email_subject=gettext_lazy("Sharing of a client between institutions has ended"),
        recipients=_share_ended_people,
        text=lambda event, share: (
            _("Sharing of a client between %(owner)s and %(partner)s has ended")
            % {
                "owner": share.client.owner.name if share else "",
                "partner": share.partner.name if share else "",
            }
        ),
        url=_home_url,
        may_see=_share_ended_may_see,
    )
)


def _retention_people(event: Event, institution: Any) -> list[Any]:

    if institution is None:
        return []
    return told(event, institution, members([institution.pk], MANAGING_ROLES), _manages)


def _manages(user: Any, institution: Any) -> bool:

    return institution is not None and can(user, institution, "change")


def _retention_text(event: Event, institution: Any) -> str:
    """Counts per record type only: no names, no ids."""

    from clients.retention import retention_rule

    counts: dict[str, int] = event.data.get("counts", {})
    rules = [(rule, counts[kind]) for kind in counts if (rule := retention_rule(kind))]
    total = sum(n for _rule, n in rules)
    if event.data.get("applied"):
        head = ngettext(
            "Retention: %(n)d record anonymised or erased",
            "Retention: %(n)d records anonymised or erased",
            total,
        )
    else:
        head = ngettext(
            "Retention: %(n)d record due for anonymisation or erasure",
            "Retention: %(n)d records due for anonymisation or erasure",
            total,
        )
    lines = [
        _("%(label)s (kept for %(period)s, then %(action)s): %(n)d")
        % {"label": rule.label, "period": rule.period_text(), "action": rule.action, "n": n}
        for rule, n in rules
    ]
    return "; ".join([head % {"n": total}, *lines])


declare(
    Kind(
        name="clients.retention_report",
        audience=MANAGING_ROLES,
        group=CLIENTS,
        label=gettext_lazy("The weekly retention report of your institution"),
        email_subject=gettext_lazy("The weekly retention report of your institution"),
        recipients=_retention_people,
        text=_retention_text,
        url=_home_url,
        may_see=_manages,
    )
)


# --- Agreements ----------------------------------------------------------------------
# The parties' coordinators and administrators, and the people on their coordinator
# cards — of every party but the one that acted (all parties for what the system
# does: the signed copy awaited, the end ahead).

AGREEMENTS = gettext_lazy("Agreements")


def _agreement_people(event: Event, agreement: Any) -> list[Any]:
    from agreements.models import Coordinator

    if agreement is None:
        return []
    institutions = list(agreement.parties.values_list("institution_id", flat=True))
    cards = User.objects.filter(
        pk__in=Coordinator.objects.filter(institution_id__in=institutions).values("user_id")
    )
    return told(event, agreement, [*members(institutions, MANAGING_ROLES), *cards], may_view)


def _agreement_text(message: str) -> Callable[[Event, Any], str]:
    def text(event: Event, agreement: Any) -> str:
        ends_on = event.data.get("ends_on")
        if ends_on and event.data.get("days") is not None:
            end = dt.date.fromisoformat(ends_on)
            if end - dt.timedelta(days=int(event.data["days"])) < raised_on(event):
                # Told late (the daily pass caught up on a day it missed): the count
                # of days would be wrong, the date is not.
                return _("Agreement %(number)s ends on %(date)s") % {
                    "number": getattr(agreement, "number", "?"),
                    "date": end.strftime("%d.%m.%Y"),
                }
        return _(message) % {
            "number": getattr(agreement, "number", "?"),
            "institution": _institution_name(event),
            "days": event.data.get("days", ""),
        }

    return text


def _agreement_url(event: Event, agreement: Any) -> str:
    return _url(agreement)


for _name, _label, _subject, _text in (
    (
        "sent",
        gettext_lazy("An agreement is waiting for your acceptance"),
        gettext_lazy("An agreement is waiting for your acceptance"),
        gettext_noop("%(institution)s sent agreement %(number)s for your acceptance"),
    ),
    (
        "accepted",
        gettext_lazy("An agreement waits for the signed copy"),
        gettext_lazy("An agreement has been accepted by all parties and waits for the signed copy"),
        gettext_noop(
            "Agreement %(number)s has been accepted by all parties and waits for the signed copy"
        ),
    ),
    (
        "signed",
        gettext_lazy("An agreement has been signed"),
        gettext_lazy("An agreement has been signed"),
        gettext_noop("Agreement %(number)s has been signed"),
    ),
    (
        "returned",
        gettext_lazy("An agreement was returned with a comment"),
        gettext_lazy("An agreement was returned with a comment"),
        gettext_noop("%(institution)s returned agreement %(number)s with a comment"),
    ),
    (
        "terminated",
        gettext_lazy("Notice of termination of an agreement"),
        gettext_lazy("Notice of termination of an agreement"),
        gettext_noop("%(institution)s gave notice of termination of agreement %(number)s"),
    ),
    (
        "annex",
        gettext_lazy("An annex to an agreement is waiting for your approval"),
        gettext_lazy("An annex to an agreement is waiting for your approval"),
        gettext_noop(
            "%(institution)s proposed an annex to agreement %(number)s; it waits for your approval"
        ),
    ),
    (
        "ending",
        gettext_lazy("An agreement ends in 30 or 7 days"),
        gettext_lazy("An agreement is coming to its end"),
        gettext_noop("Agreement %(number)s ends in %(days)s days"),
    ),
):
    declare(
        Kind(
            name=f"agreements.{_name}",
            group=AGREEMENTS,
            label=_label,
            email_subject=_subject,
            recipients=_agreement_people,
            text=_agreement_text(_text),
            url=_agreement_url,
            may_see=may_view,
        )
    )


# --- Meetings ------------------------------------------------------------------------
# The people the meetings service names (ids in the event's data: the invited who
# have not declined, never the one who acted), while they may see the event. The
# owner of an action item hears of it when it is given and on the day it is due.
# Titles are `outside_title`: a case conference's own title may name the client.

MEETINGS = gettext_lazy("Meetings")


def _meeting_people(event: Event, meeting: Any) -> list[Any]:
    if meeting is None:
        return []
    people = User.objects.filter(pk__in=event.data.get("user_ids", []))
    return told(event, meeting, people, may_view)


def _occurrence(event: Event, meeting: Any) -> Any:
    occurrence_id = event.data.get("occurrence_id")
    if meeting is None:
        return None
    if occurrence_id:
        return meeting.occurrences.filter(pk=occurrence_id).first()

    return (
        meeting.occurrences.filter(ends_at__gte=timezone.now(), cancelled=False)
        .order_by("starts_at")
        .first()
    )


def _when(start: Any, end: Any) -> str:

    start, end = timezone.localtime(start), timezone.localtime(end)
    if start.date() == end.date():
        return f"{date_format(start, 'j E Y, H:i')}–{date_format(end, 'H:i')}"
    return f"{date_format(start, 'j E Y, H:i')} – {date_format(end, 'j E Y, H:i')}"


def _meeting_text(message: str) -> Callable[[Event, Any], str]:
    def text(event: Event, meeting: Any) -> str:
        if meeting is None:
            return _(message) % {"title": "", "when": ""}
        occurrence = _occurrence(event, meeting)
        span = occurrence or meeting
        return _(message) % {
            "title": meeting.outside_title,
            "when": _when(span.starts_at, span.ends_at),
        }

    return text


def _meeting_url(event: Event, meeting: Any) -> str:
    occurrence = _occurrence(event, meeting) if event.data.get("occurrence_id") else None
    return _url(occurrence or meeting)


def _reminder_text(event: Event, meeting: Any) -> str:
    """Tomorrow; or today, when the daily pass reminds late of a date on a day it missed."""
    occurrence = _occurrence(event, meeting)
    if occurrence is not None and timezone.localdate(occurrence.starts_at) <= raised_on(event):
        return _meeting_text(gettext_noop("Today: %(title)s, %(when)s"))(event, meeting)
    return _meeting_text(gettext_noop("Tomorrow: %(title)s, %(when)s"))(event, meeting)


def _cancelled_text(event: Event, meeting: Any) -> str:
    if event.data.get("what") == "event_cancelled":
        return _("Cancelled: %(title)s") % {"title": meeting.outside_title if meeting else ""}
    return _meeting_text(gettext_noop("Cancelled: %(title)s, %(when)s"))(event, meeting)


def _changed_text(event: Event, meeting: Any) -> str:
    if event.data.get("what") == "moved":
        message = gettext_noop("Moved to another date: %(title)s, %(when)s")
    else:
        message = gettext_noop("Changed: %(title)s, %(when)s")
    return _meeting_text(message)(event, meeting)


declare(
    Kind(
        name="meetings.invitation",
        group=MEETINGS,
        label=gettext_lazy("An invitation to a meeting or training"),
        email_subject=gettext_lazy("An invitation to a meeting; please answer in the app"),
        recipients=_meeting_people,
        text=_meeting_text(gettext_noop("Invitation: %(title)s, %(when)s")),
        url=_meeting_url,
        may_see=may_view,
    )
)
declare(
    Kind(
        name="meetings.changed",
        group=MEETINGS,
        label=gettext_lazy("A meeting you are invited to changed or moved"),
        email_subject=gettext_lazy("A meeting you are invited to has changed"),
        recipients=_meeting_people,
        text=_changed_text,
        url=_meeting_url,
        may_see=may_view,
    )
)
declare(
    Kind(
        name="meetings.cancelled",
        group=MEETINGS,
        label=gettext_lazy("A meeting you are invited to was cancelled"),
        email_subject=gettext_lazy("A meeting you are invited to was cancelled"),
        recipients=_meeting_people,
        text=_cancelled_text,
        url=_meeting_url,
        may_see=may_view,
    )
)
declare(
    Kind(
        name="meetings.reminder",
        group=MEETINGS,
        label=gettext_lazy("A reminder the day before a meeting"),
        email_subject=gettext_lazy("A reminder: an upcoming meeting"),
        recipients=_meeting_people,
        text=_reminder_text,
        url=_meeting_url,
        may_see=may_view,
    )
)
declare(
    Kind(
        name="meetings.promoted",
        group=MEETINGS,
        label=gettext_lazy("A place became free for you on a waiting list"),
        email_subject=gettext_lazy("A place at a meeting or training is now yours"),
        recipients=_meeting_people,
        text=_meeting_text(gettext_noop("A place is yours: %(title)s, %(when)s")),
        url=_meeting_url,
        may_see=may_view,
    )
)


def _item_people(event: Event, item: Any) -> list[Any]:
    return told(event, item, [item.owner], may_view) if item is not None else []


def _item_text(message: str) -> Callable[[Event, Any], str]:
    """The meeting and the date; never the item's description (it may name the client)."""

    def text(event: Event, item: Any) -> str:

        if item is None:
            return _(message) % {"title": "", "date": ""}
        return _(message) % {
            "title": item.minutes.occurrence.event.outside_title,
            "date": date_format(item.due_date, "j E Y"),
        }

    return text


def _item_due_text(event: Event, item: Any) -> str:
    """Due today; or on a past date when the daily pass catches up on days it missed."""
    due = event.data.get("due_on")
    if due and dt.date.fromisoformat(due) < raised_on(event):
        return _item_text(gettext_noop("Your action item (%(title)s) was due on %(date)s"))(
            event, item
        )
    return _item_text(gettext_noop("Your action item (%(title)s) is due today, %(date)s"))(
        event, item
    )


def _item_url(event: Event, item: Any) -> str:
    return _url(item.minutes.occurrence) if item is not None else ""


declare(
    Kind(
        name="meetings.action_item",
        group=MEETINGS,
        label=gettext_lazy("You were given an action item at a meeting"),
        email_subject=gettext_lazy("You were given an action item at a meeting"),
        recipients=_item_people,
        text=_item_text(gettext_noop("A new action item for you (%(title)s), due %(date)s")),
        url=_item_url,
        may_see=may_view,
    )
)
declare(
    Kind(
        name="meetings.action_item_due",
        group=MEETINGS,
        label=gettext_lazy("An action item of yours is due today"),
        email_subject=gettext_lazy("An action item of yours is due"),
        recipients=_item_people,
        text=_item_due_text,
        url=_item_url,
        may_see=may_view,
    )
)


# E-mail attachments a kind wants (the Kind shape has no field for them): the
# calendar file of the meeting, as the meetings app sent it before the centre did —
# an update for invitations and changes, a cancellation for cancellations. The
# notification centre attaches `ATTACHMENTS[kind.name](event, target)` when it is
# not None: (filename, content, mimetype). No personal data: the calendar file uses
# `outside_title` and never names a case conference's client.
Attachment = tuple[str, bytes, str]


def _calendar_file(event: Event, meeting: Any) -> Attachment | None:
    from meetings import ical

    if meeting is None:
        return None
    what = event.data.get("what")
    if what in ("cancelled", "event_cancelled"):
        occurrence = _occurrence(event, meeting) if what == "cancelled" else None
        content = ical.cancellation_bytes(meeting, occurrence)
        method = "CANCEL"
    else:
        content = ical.calendar_bytes([(meeting, list(meeting.occurrences.all()))])
        method = "PUBLISH"
    return (
        ical.ics_filename(meeting),
        content,
        f"text/calendar; method={method}; charset=UTF-8",
    )


ATTACHMENTS: dict[str, Callable[[Event, Any], Attachment | None]] = {
    name: _calendar_file
    for name in (
        "meetings.invitation",
        "meetings.changed",
        "meetings.cancelled",
        "meetings.reminder",
        "meetings.promoted",
    )
}


# --- SEPI ----------------------------------------------------------------------------
# A batch check (run by the coordinator) finds a change in the labour office's data
# that matters to the client's worker: the client's workers in the institution that
# asked — the one who registered the client there, the plan's social worker and
# client advisor of that institution — else the coordinator who ran the check; only
# those who may see both the lookup (SEPI roles) and the client.

SEPI = gettext_lazy("SEPI")


def _sepi_may_see(user: Any, lookup: Any) -> bool:
    return lookup is not None and may_view(user, lookup) and may_view(user, lookup.client)


def _sepi_many(user: Any, lookups: list[Any]) -> set[int]:
    return viewable(user, lookups) & viewable_through("client")(user, lookups)


SEE_MANY[_sepi_may_see] = _sepi_many


def _sepi_people(event: Event, lookup: Any) -> list[Any]:
    from reintegration.models import PlanStatus

    if lookup is None:
        return []
    client = lookup.client
    people = [client.created_by] if client.owner_id == lookup.institution_id else []
    for plan in client.reintegration_plans.filter(status=PlanStatus.OPEN).select_related(
        "social_worker", "client_advisor"
    ):
        people += [plan.social_worker, plan.client_advisor]
    people = [p for p in people if p is not None and works_for(p, lookup.institution_id)] or [
        lookup.requested_by
    ]
    return told(event, lookup, people, _sepi_may_see)


def _sepi_text(event: Event, lookup: Any) -> str:
    labels = {
        "deregistered": _("deregistered from the labour office"),
        "status": _("labour market status changed"),
        "benefit_ended": _("a benefit ended"),
        "activation_ended": _("an activation ended"),
        "ipd_ended": _("an individual action plan (IPD) ended"),
    }
    found = ", ".join(str(labels.get(kind, kind)) for kind in event.data.get("changes", []))
    return _("A SEPI batch check found a change for a client of yours: %(changes)s") % {
        "changes": found
    }


declare(
    Kind(
        name="sepi.change",
        audience=SEPI_ROLES,
        institution_kinds=SEPI_KINDS,
        group=SEPI,
        label=gettext_lazy("A SEPI batch check found a change for a client of yours"),
        email_subject=gettext_lazy("A SEPI batch check found a change for a client of yours"),
        recipients=_sepi_people,
        text=_sepi_text,
        url=lambda event, lookup: _url(lookup.client, "#sepi") if lookup is not None else "",
        may_see=_sepi_may_see,
    )
)


# --- Agreements: the annual report (indicators) --------------------------------------
# In January, every party of an agreement in force last year without a frozen report.


def _report_url(event: Event, agreement: Any) -> str:

    return reverse("indicators:reports", args=[agreement.pk]) if agreement is not None else ""


declare(
    Kind(
        name="indicators.report_due",
        group=AGREEMENTS,
        label=gettext_lazy("The annual report on an agreement is due"),
        email_subject=gettext_lazy("The annual report on an agreement is due"),
        recipients=_agreement_people,
        text=lambda event, agreement: (
            _("Please draft, complete and approve the report on agreement %(number)s for %(year)s")
            % {"number": getattr(agreement, "number", "?"), "year": event.data.get("year", "")}
        ),
        url=_report_url,
        may_see=may_view,
        default_mode="immediate",
    )
)


# --- Messages and announcements (messaging) --------------------------------------------
# Who is told (the messaging app's selectors say who "works on a client"):
# - a message: the people of the OTHER institutions that see the client now (owner and
#   partners with a share) who work on the client — the owner's worker who registered
#   them, anyone who wrote in the thread or sent or answered a request about them; an
#   institution where nobody has yet, its coordinators;
# - a request sent: the same people, of the asked institution only;
# - a request answered: the person who asked;
# - a request overdue (the daily job, no actor): the person who asked and the asked
#   institution's people, as above;
# - an announcement: every active person of the chosen partner institutions (it is
#   meant for the whole institution; each person can turn the kind off).
# Everyone only while the policy layer lets them see the target: a partner whose share
# ended is told nothing and `may_see` gives False (the thread follows the client).
# Functions import the app inside: this module is read before the apps' models are.

MESSAGES_GROUP = gettext_lazy("Messages and announcements")


def _message_recipients(event: Event, message: Any) -> list[Any]:
    from messaging.selectors import client_workers, sharing_institutions

    if message is None:
        return []
    others = [pk for pk in sharing_institutions(message.client) if pk != message.institution_id]
    return told(event, message, client_workers(message.client, others))


def _request_sent_recipients(event: Event, request: Any) -> list[Any]:
    from messaging.selectors import client_workers

    if request is None:
        return []
    return told(event, request, client_workers(request.client, [request.asked_id]))


def _request_answered_recipients(event: Event, request: Any) -> list[Any]:
    if request is None:
        return []
    return told(event, request, [request.asked_by])


def _request_overdue_recipients(event: Event, request: Any) -> list[Any]:
    from messaging.selectors import client_workers

    if request is None or request.status != "open":
        return []
    asked_side = client_workers(request.client, [request.asked_id])
    return told(event, request, [request.asked_by, *asked_side])


def _announcement_recipients(event: Event, announcement: Any) -> list[Any]:

    if announcement is None:
        return []
    people = User.objects.filter(
        is_active=True,
        memberships__is_active=True,
        memberships__institution__in=announcement.recipients.all(),
    ).distinct()
    return told(event, announcement, people)


def _client_name(target: Any) -> str:
    return target.client.full_name if target is not None else ""


declare(
    Kind(
        name="messaging.message_posted",
        audience=CASEWORK_ROLES,
        group=MESSAGES_GROUP,
        label=gettext_lazy("A partner writes about a shared client"),
        email_subject=gettext_lazy("A new message about a shared client"),
        recipients=_message_recipients,
        text=lambda event, m: (
            _("%(inst)s wrote about %(client)s")
            % {"inst": m.institution.name, "client": _client_name(m)}
        ),
        url=lambda event, m: m.get_absolute_url(),
        may_see=may_view,
    )
)
declare(
    Kind(
        name="messaging.request_sent",
        audience=CASEWORK_ROLES,
        group=MESSAGES_GROUP,
        label=gettext_lazy("A partner asks you for information"),
        email_subject=gettext_lazy("A partner asks your institution for information"),
        recipients=_request_sent_recipients,
        text=lambda event, r: (
            _("%(inst)s asks for information about %(client)s by %(date)s")
            % {
                "inst": r.asker.name,
                "client": _client_name(r),
                "date": r.due_on.strftime("%d.%m.%Y"),
            }
        ),
        url=lambda event, r: r.get_absolute_url(),
        may_see=may_view,
    )
)
declare(
    Kind(
        name="messaging.request_answered",
        audience=CASEWORK_ROLES,
        group=MESSAGES_GROUP,
        label=gettext_lazy("Your information request is answered"),
        email_subject=gettext_lazy("Your information request has been answered"),
        recipients=_request_answered_recipients,
        text=lambda event, r: (
            _("%(inst)s answered your request about %(client)s")
            % {"inst": r.asked.name, "client": _client_name(r)}
        ),
        url=lambda event, r: r.get_absolute_url(),
        may_see=may_view,
    )
)
declare(
    Kind(
        name="messaging.request_overdue",
        audience=CASEWORK_ROLES,
        group=MESSAGES_GROUP,
        label=gettext_lazy("An information request is overdue"),
        email_subject=gettext_lazy("An information request is past its date"),
        recipients=_request_overdue_recipients,
        text=lambda event, r: (
            _("The request about %(client)s to %(inst)s is overdue")
            % {"inst": r.asked.name, "client": _client_name(r)}
        ),
        url=lambda event, r: r.get_absolute_url(),
        may_see=may_view,
    )
)
declare(
    Kind(
        name="messaging.announcement_posted",
        group=MESSAGES_GROUP,
        label=gettext_lazy("A partner posts an announcement"),
        email_subject=gettext_lazy("A new announcement from a partner institution"),
        recipients=_announcement_recipients,
        text=lambda event, a: (
            _("%(inst)s: %(title)s") % {"inst": a.institution.name, "title": a.title}
        ),
        url=lambda event, a: a.get_absolute_url(),
        may_see=may_view,
    )
)
