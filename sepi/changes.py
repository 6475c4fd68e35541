"""What changed since the previous lookup, e.g. "deregistered since 2026-10-01".

Changes are stored as small dicts of codes and ISO dates on the lookup (so
they are computed once, when the answer arrives) and described in the
viewer's language when shown.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from .labels import label
from .types import (
    ActivationKind,
    BenefitKind,
    LabourStatus,
    ProposalAnswer,
    StatusResult,
)

Change = dict[str, Any]


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _status_change(old: StatusResult, new: StatusResult) -> Change | None:
    if (old.found, old.status, old.status_since) == (new.found, new.status, new.status_since):
        return None
    was_registered, is_registered = old.registered, new.registered
    if was_registered and not is_registered:
        last = new.last_registration
        reason = last.deregistration_reason if last else None
        return {
            "kind": "deregistered",
            "since": _iso(new.status_since),
            "reason": str(reason) if reason else None,
        }
    if is_registered and not was_registered:
        return {"kind": "registered", "status": str(new.status), "since": _iso(new.status_since)}
    return {
        "kind": "status",
        "old": str(old.status) if old.found else None,
        "new": str(new.status) if new.found else None,
        "since": _iso(new.status_since),
    }


def detect_changes(old: StatusResult | None, new: StatusResult) -> list[Change]:
    """The differences that matter to a worker between two answers about one person."""
    if old is None:
        return []
    changes: list[Change] = []
    if status := _status_change(old, new):
        changes.append(status)
    plans = {p.prepared_on for p in old.action_plans}
    changes += [
        {"kind": "ipd", "prepared_on": _iso(p.prepared_on)}
        for p in new.action_plans
        if p.prepared_on not in plans
    ]
    running_plans = {p.prepared_on for p in old.action_plans if p.ended_on is None}
    changes += [
        {"kind": "ipd_ended", "prepared_on": _iso(p.prepared_on), "to": _iso(p.ended_on)}
        for p in new.action_plans
        if p.prepared_on in running_plans and p.ended_on is not None
    ]
    old_benefits = {(b.kind, b.date_from): b for b in old.benefits}
    for b in new.benefits:
        before = old_benefits.get((b.kind, b.date_from))
        if before is None:
            changes.append({"kind": "benefit", "benefit": str(b.kind), "from": _iso(b.date_from)})
        elif before.date_to is None and b.date_to is not None:
            changes.append({"kind": "benefit_ended", "benefit": str(b.kind), "to": _iso(b.date_to)})
    activations = {(a.kind, a.date_from) for a in old.activations}
    changes += [
        {"kind": "activation", "activation": str(a.kind), "name": a.name, "from": _iso(a.date_from)}
        for a in new.activations
        if (a.kind, a.date_from) not in activations
    ]
    running = {(a.kind, a.date_from) for a in old.activations if a.date_to is None}
    changes += [
        {"kind": "activation_ended", "activation": str(a.kind), "to": _iso(a.date_to)}
        for a in new.activations
        if (a.kind, a.date_from) in running and a.date_to is not None
    ]
    old_proposals = {(j.proposed_on, j.position): j for j in old.job_proposals}
    for j in new.job_proposals:
        before = old_proposals.get((j.proposed_on, j.position))  # type: ignore[assignment]
        if before is None or before.answer != j.answer:  # type: ignore[attr-defined]
            changes.append(
                {
                    "kind": "proposal",
                    "date": _iso(j.proposed_on),
                    "position": j.position,
                    "answer": str(j.answer),
                }
            )
    insured = {i.date_from: i for i in old.health_insurance if i.date_to is None}
    changes += [
        {"kind": "insurance_ended", "to": _iso(i.date_to)}
        for i in new.health_insurance
        if i.date_from in insured and i.date_to is not None
    ]
    if new.last_contact and (
        old.last_contact is None or new.last_contact.date > old.last_contact.date
    ):
        changes.append({"kind": "contact", "date": _iso(new.last_contact.date)})
    return changes


def _label_of(enum: type, code: str | None) -> str:
    if code is None:
        return _("unknown to the office")
    try:
        return label(enum(code))
    except ValueError:
        return code


def describe(change: Change) -> str:
    """One change, as a sentence in the current language."""
    kind = change.get("kind")
    if kind == "deregistered":
        text = _("Deregistered since %(date)s") % {"date": change.get("since") or "?"}
        if change.get("reason"):
            from .types import DeregistrationReason

            text += f" ({_label_of(DeregistrationReason, change['reason'])})"
        return text
    if kind == "registered":
        return _("Registered as %(status)s since %(date)s") % {
            "status": _label_of(LabourStatus, change.get("status")),
            "date": change.get("since") or "?",
        }
    if kind == "status":
        return _("Status changed from %(old)s to %(new)s") % {
            "old": _label_of(LabourStatus, change.get("old")),
            "new": _label_of(LabourStatus, change.get("new")),
        }
    if kind == "ipd":
        return _("New individual action plan (IPD) of %(date)s") % {"date": change["prepared_on"]}
    if kind == "ipd_ended":
        return _("The individual action plan (IPD) of %(date)s ended on %(to)s") % {
            "date": change.get("prepared_on"),
            "to": change.get("to"),
        }
    if kind == "activation_ended":
        return _("Ended: %(activation)s on %(date)s") % {
            "activation": _label_of(ActivationKind, change.get("activation")),
            "date": change.get("to"),
        }
    if kind == "benefit":
        return _("New: %(benefit)s from %(date)s") % {
            "benefit": _label_of(BenefitKind, change.get("benefit")),
            "date": change.get("from"),
        }
    if kind == "benefit_ended":
        return _("Ended: %(benefit)s on %(date)s") % {
            "benefit": _label_of(BenefitKind, change.get("benefit")),
            "date": change.get("to"),
        }
    if kind == "activation":
        return _("New activation: %(activation)s „%(name)s” from %(date)s") % {
            "activation": _label_of(ActivationKind, change.get("activation")),
            "name": change.get("name", ""),
            "date": change.get("from"),
        }
    if kind == "proposal":
        return _("Job proposal of %(date)s (%(position)s): %(answer)s") % {
            "date": change.get("date"),
            "position": change.get("position", ""),
            "answer": _label_of(ProposalAnswer, change.get("answer")),
        }
    if kind == "insurance_ended":
        return _("Health insurance paid by the office ended on %(date)s") % {
            "date": change.get("to")
        }
    if kind == "contact":
        return _("New contact with the office on %(date)s") % {"date": change.get("date")}
    return str(change)


def is_major(change: Change) -> bool:
    """Registration status changes are the ones to highlight first."""
    return change.get("kind") in ("deregistered", "registered", "status")


# Changes a batch check tells the client's worker of (notifications/kinds.py, SEPI):
# the person left the office's register, their status or a benefit was lost, an
# activation or an individual action plan ended.
WORKER_MATTERS = ("deregistered", "status", "benefit_ended", "activation_ended", "ipd_ended")


def worker_matters(changes: list[Change]) -> list[str]:
    """The kinds of the changes that matter to the client's worker, each once, in order."""
    return list(dict.fromkeys(c["kind"] for c in changes if c.get("kind") in WORKER_MATTERS))
