"""Human labels for the codes of the SEPI contract (translated; Polish in the UI)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .types import (
    ActivationKind,
    ActivationOutcome,
    BenefitKind,
    ContactKind,
    DeregistrationReason,
    LabourStatus,
    ProposalAnswer,
    RegistrationKind,
)

LABELS = {
    LabourStatus.UNEMPLOYED: pgettext_lazy("labour status", "unemployed"),
    LabourStatus.LONG_TERM_UNEMPLOYED: pgettext_lazy("labour status", "long-term unemployed"),
    LabourStatus.JOB_SEEKER: pgettext_lazy("labour status", "job seeker"),
    LabourStatus.NOT_REGISTERED: pgettext_lazy("labour status", "not registered"),
    RegistrationKind.UNEMPLOYED: pgettext_lazy("registered as", "unemployed"),
    RegistrationKind.JOB_SEEKER: pgettext_lazy("registered as", "job seeker"),
    DeregistrationReason.EMPLOYMENT: _("took up employment"),
    DeregistrationReason.BUSINESS: _("started a business"),
    DeregistrationReason.OWN_REQUEST: _("at own request"),
    DeregistrationReason.REFUSED_OFFER: _("refused a job proposal"),
    DeregistrationReason.NO_SHOW: _("did not report on the set date"),
    DeregistrationReason.OTHER: _("other reason"),
    ContactKind.VISIT: _("visit at the office"),
    ContactKind.PHONE: _("phone call"),
    ContactKind.ELECTRONIC: _("electronic contact"),
    BenefitKind.UNEMPLOYMENT_BENEFIT: _("unemployment benefit"),
    BenefitKind.TRAINING_STIPEND: _("training stipend"),
    BenefitKind.INTERNSHIP_STIPEND: _("internship stipend"),
    BenefitKind.ACTIVATION_ALLOWANCE: _("activation allowance"),
    ActivationKind.TRAINING: _("training"),
    ActivationKind.INTERNSHIP: _("internship"),
    ActivationKind.INTERVENTION_WORKS: _("intervention works"),
    ActivationKind.PUBLIC_WORKS: _("public works"),
    ActivationKind.SOCIALLY_USEFUL_WORKS: _("socially useful works"),
    ActivationOutcome.ONGOING: pgettext_lazy("activation", "ongoing"),
    ActivationOutcome.COMPLETED: pgettext_lazy("activation", "completed"),
    ActivationOutcome.INTERRUPTED: pgettext_lazy("activation", "interrupted"),
    ProposalAnswer.PENDING: pgettext_lazy("job proposal", "waiting for an answer"),
    ProposalAnswer.ACCEPTED: pgettext_lazy("job proposal", "accepted"),
    ProposalAnswer.REFUSED: pgettext_lazy("job proposal", "refused"),
    ProposalAnswer.NO_ANSWER: pgettext_lazy("job proposal", "no answer"),
}


def label(value: object) -> str:
    """The label of a contract code (an enum member); the code itself if unknown."""
    return str(LABELS.get(value, value))  # type: ignore[call-overload]
