"""The JSON contract `sepi-status/1`, both ways: strict parsing into the typed
result, and serialising it back (for storage and for the simulator).

Parsing is strict on purpose: an answer with a missing or mistyped field, an
unknown code or another person's PESEL is refused as a whole (SepiSchemaError)
rather than half-shown — a worker must never act on a misread status.

    {
      "schema": "sepi-status/1", "pesel": "...", "found": true,
      "as_of": "2026-11-28T10:00:00+01:00", "office": "PUP ...",
      "status": {"code": "unemployed", "since": "2025-03-01"},
      "registrations": [{"kind": "unemployed", "from": "...", "to": null,
                         "deregistration_reason": null}],
      "action_plans": [{"prepared_on": "...", "next_review_on": "...", "ended_on": null}],
      "last_contact": {"date": "...", "kind": "visit"},
      "benefits": [{"kind": "unemployment_benefit", "from": "...", "to": "...",
                    "monthly_amount": "1662.20"}],
      "activations": [{"kind": "training", "name": "...", "provider": "...",
                       "from": "...", "to": "...", "outcome": "completed"}],
      "job_proposals": [{"proposed_on": "...", "position": "...", "employer": "...",
                         "answer": "refused", "answered_on": "..."}],
      "health_insurance": [{"from": "...", "to": null}],
      "help_profile": {"profile": "II", "assigned_on": "2016-04-01"}   (or null)
    }

A person SEPI does not know: `{"schema": ..., "pesel": ..., "found": false, "as_of": ...}`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import StrEnum
from typing import Any, TypeVar

from .types import (
    SCHEMA,
    ActionPlan,
    Activation,
    ActivationKind,
    ActivationOutcome,
    Benefit,
    BenefitKind,
    Contact,
    ContactKind,
    DeregistrationReason,
    HelpProfile,
    InsurancePeriod,
    JobProposal,
    LabourStatus,
    ProposalAnswer,
    RegistrationKind,
    RegistrationPeriod,
    SepiSchemaError,
    StatusResult,
)

E = TypeVar("E", bound=StrEnum)
T = TypeVar("T")
Obj = dict[str, Any]


def _obj(value: Any, where: str) -> Obj:
    if not isinstance(value, dict):
        raise SepiSchemaError(f"{where}: expected an object")
    return value


def _get(obj: Obj, key: str, where: str) -> Any:
    if key not in obj:
        raise SepiSchemaError(f"{where}.{key}: missing")
    return obj[key]


def _str(obj: Obj, key: str, where: str, *, optional: bool = False) -> str:
    value = obj.get(key, "") if optional else _get(obj, key, where)
    if value is None and optional:
        return ""
    if not isinstance(value, str):
        raise SepiSchemaError(f"{where}.{key}: expected a string")
    return value


def _date(obj: Obj, key: str, where: str, *, nullable: bool = False) -> dt.date | None:
    value = obj.get(key) if nullable else _get(obj, key, where)
    if value is None and nullable:
        return None
    if not isinstance(value, str):
        raise SepiSchemaError(f"{where}.{key}: expected a date")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise SepiSchemaError(f"{where}.{key}: not an ISO date") from None


def _req_date(obj: Obj, key: str, where: str) -> dt.date:
    value = _date(obj, key, where)
    assert value is not None  # noqa: S101 - _date without nullable never returns None
    return value


def _enum(cls: type[E], obj: Obj, key: str, where: str, *, nullable: bool = False) -> E | None:
    value = obj.get(key) if nullable else _get(obj, key, where)
    if value is None and nullable:
        return None
    try:
        return cls(value)  # type: ignore[arg-type]
    except ValueError:
        raise SepiSchemaError(f"{where}.{key}: unknown code {value!r}") from None


def _list(data: Obj, key: str, parse: Callable[[Obj, str], T]) -> tuple[T, ...]:
    value = _get(data, key, "$")
    if not isinstance(value, list):
        raise SepiSchemaError(f"$.{key}: expected a list")
    return tuple(
        parse(_obj(item, f"$.{key}[{i}]"), f"$.{key}[{i}]") for i, item in enumerate(value)
    )


def _registration(o: Obj, w: str) -> RegistrationPeriod:
    return RegistrationPeriod(
        kind=_enum(RegistrationKind, o, "kind", w),  # type: ignore[arg-type]
        registered_from=_req_date(o, "from", w),
        registered_until=_date(o, "to", w, nullable=True),
        deregistration_reason=_enum(
            DeregistrationReason, o, "deregistration_reason", w, nullable=True
        ),
    )


def _action_plan(o: Obj, w: str) -> ActionPlan:
    return ActionPlan(
        prepared_on=_req_date(o, "prepared_on", w),
        next_review_on=_date(o, "next_review_on", w, nullable=True),
        ended_on=_date(o, "ended_on", w, nullable=True),
    )


def _benefit(o: Obj, w: str) -> Benefit:
    return Benefit(
        kind=_enum(BenefitKind, o, "kind", w),  # type: ignore[arg-type]
        date_from=_req_date(o, "from", w),
        date_to=_date(o, "to", w, nullable=True),
        monthly_amount=_str(o, "monthly_amount", w, optional=True),
    )


def _activation(o: Obj, w: str) -> Activation:
    return Activation(
        kind=_enum(ActivationKind, o, "kind", w),  # type: ignore[arg-type]
        name=_str(o, "name", w),
        provider=_str(o, "provider", w, optional=True),
        date_from=_req_date(o, "from", w),
        date_to=_date(o, "to", w, nullable=True),
        outcome=_enum(ActivationOutcome, o, "outcome", w),  # type: ignore[arg-type]
    )


def _proposal(o: Obj, w: str) -> JobProposal:
    return JobProposal(
        proposed_on=_req_date(o, "proposed_on", w),
        position=_str(o, "position", w),
        employer=_str(o, "employer", w),
        answer=_enum(ProposalAnswer, o, "answer", w),  # type: ignore[arg-type]
        answered_on=_date(o, "answered_on", w, nullable=True),
    )


def _insurance(o: Obj, w: str) -> InsurancePeriod:
    return InsurancePeriod(
        date_from=_req_date(o, "from", w), date_to=_date(o, "to", w, nullable=True)
    )


def _as_of(data: Obj) -> dt.datetime:
    raw = _get(data, "as_of", "$")
    try:
        value = dt.datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise SepiSchemaError("$.as_of: expected an ISO date-time with a time zone")
    return value


def parse(data: Any, *, expected_pesel: str | None = None) -> StatusResult:
    """A `StatusResult` from a decoded `sepi-status/1` answer, or SepiSchemaError."""
    data = _obj(data, "$")
    if data.get("schema") != SCHEMA:
        raise SepiSchemaError(f"$.schema: expected {SCHEMA!r}")
    pesel = _str(data, "pesel", "$")
    if expected_pesel is not None and pesel != expected_pesel:
        # An answer about someone else is the worst possible mix-up: refuse it.
        raise SepiSchemaError("$.pesel: the answer is about another person")
    found = _get(data, "found", "$")
    if not isinstance(found, bool):
        raise SepiSchemaError("$.found: expected true or false")
    as_of = _as_of(data)
    if not found:
        return StatusResult(pesel=pesel, found=False, as_of=as_of)
    status = _obj(_get(data, "status", "$"), "$.status")
    contact = data.get("last_contact")
    profile = data.get("help_profile")
    return StatusResult(
        pesel=pesel,
        found=True,
        as_of=as_of,
        office=_str(data, "office", "$", optional=True),
        status=_enum(LabourStatus, status, "code", "$.status"),  # type: ignore[arg-type]
        status_since=_date(status, "since", "$.status", nullable=True),
        registrations=_list(data, "registrations", _registration),
        action_plans=_list(data, "action_plans", _action_plan),
        last_contact=None
        if contact is None
        else Contact(
            date=_req_date(_obj(contact, "$.last_contact"), "date", "$.last_contact"),
            kind=_enum(ContactKind, contact, "kind", "$.last_contact"),  # type: ignore[arg-type]
        ),
        benefits=_list(data, "benefits", _benefit),
        activations=_list(data, "activations", _activation),
        job_proposals=_list(data, "job_proposals", _proposal),
        health_insurance=_list(data, "health_insurance", _insurance),
        help_profile=None
        if profile is None
        else HelpProfile(
            profile=_help_profile_code(_obj(profile, "$.help_profile")),
            assigned_on=_req_date(profile, "assigned_on", "$.help_profile"),
        ),
    )


def _help_profile_code(profile: Obj) -> str:
    code = _str(profile, "profile", "$.help_profile")
    if code not in ("I", "II", "III"):
        raise SepiSchemaError("$.help_profile.profile: expected I, II or III")
    return code


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def dump(result: StatusResult) -> Obj:
    """The `sepi-status/1` JSON of a result (inverse of `parse`)."""
    data: Obj = {
        "schema": SCHEMA,
        "pesel": result.pesel,
        "found": result.found,
        "as_of": result.as_of.isoformat(),
    }
    if not result.found:
        return data
    contact = result.last_contact
    profile = result.help_profile
    data.update(
        {
            "office": result.office,
            "status": {"code": str(result.status), "since": _iso(result.status_since)},
            "registrations": [
                {
                    "kind": str(r.kind),
                    "from": _iso(r.registered_from),
                    "to": _iso(r.registered_until),
                    "deregistration_reason": str(r.deregistration_reason)
                    if r.deregistration_reason
                    else None,
                }
                for r in result.registrations
            ],
            "action_plans": [
                {
                    "prepared_on": _iso(p.prepared_on),
                    "next_review_on": _iso(p.next_review_on),
                    "ended_on": _iso(p.ended_on),
                }
                for p in result.action_plans
            ],
            "last_contact": None
            if contact is None
            else {"date": _iso(contact.date), "kind": str(contact.kind)},
            "benefits": [
                {
                    "kind": str(b.kind),
                    "from": _iso(b.date_from),
                    "to": _iso(b.date_to),
                    "monthly_amount": b.monthly_amount,
                }
                for b in result.benefits
            ],
            "activations": [
                {
                    "kind": str(a.kind),
                    "name": a.name,
                    "provider": a.provider,
                    "from": _iso(a.date_from),
                    "to": _iso(a.date_to),
                    "outcome": str(a.outcome),
                }
                for a in result.activations
            ],
            "job_proposals": [
                {
                    "proposed_on": _iso(j.proposed_on),
                    "position": j.position,
                    "employer": j.employer,
                    "answer": str(j.answer),
                    "answered_on": _iso(j.answered_on),
                }
                for j in result.job_proposals
            ],
            "health_insurance": [
                {"from": _iso(i.date_from), "to": _iso(i.date_to)} for i in result.health_insurance
            ],
            "help_profile": None
            if profile is None
            else {"profile": profile.profile, "assigned_on": _iso(profile.assigned_on)},
        }
    )
    return data
