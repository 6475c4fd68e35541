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
  when the notice is listed, opened or put in a digest: access can end after the event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cooperation.events import Event
from cooperation.models import User
from cooperation.permissions import can, membership_of
from cooperation.roles import NOTIFIED_MANAGERS, PROMOTION_WORKER_ROLES


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


KINDS: dict[str, Kind] = {}


def declare(kind: Kind) -> Kind:
    if kind.name in KINDS:
        raise ValueError(f"notice kind {kind.name!r} declared twice")
    KINDS[kind.name] = kind
    return kind


# --- helpers the declarations share ------------------------------------------------


def members_of(institution_id: int | None, roles: Iterable[str]) -> list[User]:
    """The active people of one institution with one of `roles`."""
    if institution_id is None:
        return []
    return list(
        User.objects.filter(
            is_active=True,
            memberships__institution_id=institution_id,
            memberships__is_active=True,
            memberships__role__in=list(roles),
        ).distinct()
    )


def still_member(user: User | None, institution_id: int | None) -> list[User]:
    """[user] while they still act for the institution, else nobody."""
    if user is None or not user.is_active:
        return []
    membership = membership_of(user)
    return [user] if membership and membership.institution_id == institution_id else []


def may_view(user: Any, target: Any) -> bool:
    """The person may still open the target (its policy's VIEW)."""
    return target is not None and can(user, target, "view")


def in_institution(user: Any, target: Any) -> bool:
    """The target is the person's own institution (a notice about its queue, its reports)."""
    membership = membership_of(user)
    return membership is not None and target is not None and membership.institution_id == target.pk


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
        group=_("Promotion"),
        label=_("A client is proposed to our promotion queue"),
        email_subject=_("A client has been proposed to your promotion queue"),
        recipients=lambda event, case: members_of(case.target_id, PROMOTION_WORKER_ROLES),
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
        group=_("Promotion"),
        label=_("The labour office takes a case we proposed"),
        email_subject=_("The labour office has taken a promotion case you proposed"),
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
        group=_("Promotion"),
        label=_("The labour office records an action in a case we proposed"),
        email_subject=_("The labour office has recorded an action in a promotion case"),
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
        group=_("Promotion"),
        label=_("The labour office closes a case we proposed"),
        email_subject=_("A promotion case you proposed has been closed"),
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
        group=_("Promotion"),
        label=_("Cases in our queue untouched for 14 days (weekly)"),
        email_subject=_("Promotion queue: cases untouched for 14 days"),
        recipients=lambda event, office: members_of(office.pk, PROMOTION_WORKER_ROLES),
        text=lambda event, office: (
            _("Cases in the promotion queue untouched for 14 days: %(n)s")
            % {"n": event.data.get("count", "")}
        ),
        url=lambda event, office: reverse("promotion:queue") + "?overdue=1",
        may_see=in_institution,
        default_mode="immediate",
    )
)


# Cooperation indicators
def _agreement_managers(event: Event, agreement: Any) -> list[User]:
    parties = agreement.parties.values("institution_id")
    return list(
        User.objects.filter(
            is_active=True,
            memberships__institution_id__in=parties,
            memberships__is_active=True,
            memberships__role__in=list(NOTIFIED_MANAGERS),
        ).distinct()
    )


declare(
    Kind(
        name="indicators.report_due",
        group=_("Agreements"),
        label=_("An annual report on an agreement is due (January)"),
        email_subject=_("An annual report on a cooperation agreement is due"),
        recipients=_agreement_managers,
        text=lambda event, agreement: (
            _(
                "The report on agreement %(number)s for %(year)s is due: draft, complete and approve it"
            )
            % {"number": agreement.number, "year": event.data.get("year", "")}
        ),
        url=lambda event, agreement: reverse("indicators:reports", args=[agreement.pk]),
        may_see=may_view,
        default_mode="immediate",
    )
)
