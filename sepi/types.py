"""The adapter contract: what a SEPI status lookup returns, as typed values.

SEPI's own interface is not public, so this is *our* contract: the HTTP
backend and the simulator both speak it (JSON, schema `sepi-status/1`, see
`sepi/schema.py`), and the rest of the app only ever sees these dataclasses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

SCHEMA = "sepi-status/1"


class LabourStatus(StrEnum):
    UNEMPLOYED = "unemployed"
    LONG_TERM_UNEMPLOYED = "long_term_unemployed"
    JOB_SEEKER = "job_seeker"
    NOT_REGISTERED = "not_registered"

    @property
    def registered(self) -> bool:
        return self is not LabourStatus.NOT_REGISTERED


class RegistrationKind(StrEnum):
    UNEMPLOYED = "unemployed"  # bezrobotny
    JOB_SEEKER = "job_seeker"  # poszukujący pracy


class DeregistrationReason(StrEnum):
    EMPLOYMENT = "employment"  # podjęcie zatrudnienia
    BUSINESS = "business"  # podjęcie działalności gospodarczej
    OWN_REQUEST = "own_request"  # na własny wniosek
    REFUSED_OFFER = "refused_offer"  # odmowa przyjęcia propozycji
    NO_SHOW = "no_show"  # niestawienie się w wyznaczonym terminie
    OTHER = "other"


class ContactKind(StrEnum):
    VISIT = "visit"
    PHONE = "phone"
    ELECTRONIC = "electronic"


class BenefitKind(StrEnum):
    UNEMPLOYMENT_BENEFIT = "unemployment_benefit"  # zasiłek dla bezrobotnych
    TRAINING_STIPEND = "training_stipend"  # stypendium szkoleniowe
    INTERNSHIP_STIPEND = "internship_stipend"  # stypendium stażowe
    ACTIVATION_ALLOWANCE = "activation_allowance"  # dodatek aktywizacyjny


class ActivationKind(StrEnum):
    TRAINING = "training"  # szkolenie
    INTERNSHIP = "internship"  # staż
    INTERVENTION_WORKS = "intervention_works"  # prace interwencyjne
    PUBLIC_WORKS = "public_works"  # roboty publiczne
    SOCIALLY_USEFUL_WORKS = "socially_useful_works"  # prace społecznie użyteczne


class ActivationOutcome(StrEnum):
    ONGOING = "ongoing"
    COMPLETED = "completed"
    INTERRUPTED = "interrupted"


class ProposalAnswer(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    NO_ANSWER = "no_answer"


@dataclass(frozen=True)
class RegistrationPeriod:
    kind: RegistrationKind
    registered_from: dt.date
    registered_until: dt.date | None  # None: still registered
    deregistration_reason: DeregistrationReason | None = None


@dataclass(frozen=True)
class ActionPlan:
    """Individual action plan (IPD)."""

    prepared_on: dt.date
    next_review_on: dt.date | None = None
    ended_on: dt.date | None = None


@dataclass(frozen=True)
class Contact:
    date: dt.date
    kind: ContactKind


@dataclass(frozen=True)
class Benefit:
    kind: BenefitKind
    date_from: dt.date
    date_to: dt.date | None
    monthly_amount: str = ""  # PLN, as SEPI sends it ("1662.20"); shown, never computed with


@dataclass(frozen=True)
class Activation:
    kind: ActivationKind
    name: str
    date_from: dt.date
    date_to: dt.date | None
    outcome: ActivationOutcome
    provider: str = ""


@dataclass(frozen=True)
class JobProposal:
    proposed_on: dt.date
    position: str
    employer: str
    answer: ProposalAnswer
    answered_on: dt.date | None = None


@dataclass(frozen=True)
class InsurancePeriod:
    """Health insurance paid by the labour office."""

    date_from: dt.date
    date_to: dt.date | None


@dataclass(frozen=True)
class HelpProfile:
    """A help profile (profil pomocy) of 2014–2019: abolished in 2019, history only."""

    profile: str  # "I", "II" or "III"
    assigned_on: dt.date


@dataclass(frozen=True)
class StatusResult:
    pesel: str
    found: bool
    as_of: dt.datetime
    office: str = ""
    status: LabourStatus = LabourStatus.NOT_REGISTERED
    status_since: dt.date | None = None
    registrations: tuple[RegistrationPeriod, ...] = ()
    action_plans: tuple[ActionPlan, ...] = ()
    last_contact: Contact | None = None
    benefits: tuple[Benefit, ...] = ()
    activations: tuple[Activation, ...] = ()
    job_proposals: tuple[JobProposal, ...] = ()
    health_insurance: tuple[InsurancePeriod, ...] = ()
    help_profile: HelpProfile | None = None

    @property
    def registered(self) -> bool:
        return self.found and self.status.registered

    @property
    def last_registration(self) -> RegistrationPeriod | None:
        return self.registrations[-1] if self.registrations else None

    @property
    def current_action_plan(self) -> ActionPlan | None:
        plans = [p for p in self.action_plans if p.ended_on is None]
        return plans[-1] if plans else None


# --- errors -----------------------------------------------------------------
# Each carries the code of the failure reason the user is shown
# (sepi.models.FailureReason), so the UI never has to parse messages.


class SepiError(Exception):
    code = "internal"
    # Does this failure say something about SEPI's health (counts for the breaker)?
    counts_for_breaker = True


class SepiUnavailable(SepiError):
    """SEPI answered 5xx, after the retries."""

    code = "unavailable"


class SepiTimeout(SepiError):
    code = "timeout"


class SepiConnectionError(SepiError):
    code = "connection"


class SepiMalformed(SepiError):
    """The answer is not JSON (or is cut off)."""

    code = "malformed"


class SepiSchemaError(SepiError):
    """JSON, but not our contract: missing or mistyped fields, another person's PESEL."""

    code = "schema"


class SepiRejected(SepiError):
    """SEPI refused the query (4xx): our request's fault, not SEPI's health."""

    code = "rejected"
    counts_for_breaker = False


class SepiCircuitOpen(SepiError):
    """We stopped calling SEPI for a while after repeated failures."""

    code = "circuit_open"
    counts_for_breaker = False

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"SEPI circuit open, retry after {retry_after:.0f} s")
        self.retry_after = retry_after


class SepiNotConfigured(SepiError):
    code = "not_configured"
    counts_for_breaker = False
