"""E-mails to the parties' coordinators about an agreement's steps."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _

from cooperation.models import Membership
from cooperation.roles import MANAGING_ROLES

from .models import Agreement, Coordinator


def _subject(what: str, agreement: Agreement) -> str:
    if what.startswith("ending:"):
        days = what.split(":", 1)[1]
        return _("Agreement %(number)s ends in %(days)s days") % {
            "number": agreement.number,
            "days": days,
        }
    subjects = {
        "sent": _("Agreement %(number)s is waiting for your acceptance"),
        "accepted": _(
            "Agreement %(number)s has been accepted by all parties and waits for the signed copy"
        ),
        "signed": _("Agreement %(number)s has been signed"),
        "returned": _("Agreement %(number)s was returned with a comment"),
        "terminated": _("Notice of termination of agreement %(number)s"),
        "annex": _("An annex to agreement %(number)s is waiting for your approval"),
    }
    return subjects[what] % {"number": agreement.number}


def recipients(agreement: Agreement, exclude_institution_id: int | None) -> list[str]:
    institutions = agreement.parties.exclude(institution_id=exclude_institution_id).values(  # type: ignore[misc]
        "institution_id"
    )
    members = Membership.objects.filter(
        institution_id__in=institutions,
        is_active=True,
        role__in=MANAGING_ROLES,
    ).values_list("user__email", flat=True)
    cards = Coordinator.objects.filter(institution_id__in=institutions).values_list(
        "email", flat=True
    )
    return sorted({e for e in [*members, *cards] if e})


def agreement_notify(*, agreement_id: int, what: str, from_institution_id: int | None) -> int:
    agreement = Agreement.objects.select_related("initiator").get(pk=agreement_id)
    to = recipients(agreement, from_institution_id)
    if not to:
        return 0
    link = settings.SITE_URL + reverse("agreements:detail", args=[agreement.pk])
    body = "\n\n".join(
        [f"{agreement.number} — {agreement.title}", _subject(what, agreement) + ".", link]
    )
    return send_mail(_subject(what, agreement), body, None, to)
