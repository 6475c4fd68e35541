"""E-mails that keep the referral loop closed.

No personal data in the subject or the body: the referral's number, what
happened, and a link to its page, which requires login and permission.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _

from cooperation.models import Membership
from cooperation.roles import PARTNER_ROLES

from .models import Referral

PARTNER, REFERRER = "partner", "referrer"


def _messages() -> dict[str, tuple[str, tuple[str, ...]]]:
    return {
        "sent": (_("A new referral is waiting for your answer"), (PARTNER,)),
        "overdue": (_("A referral has had no answer for two working days"), (PARTNER, REFERRER)),
        "accepted": (_("Your referral was accepted"), (REFERRER,)),
        "declined": (_("Your referral was declined"), (REFERRER,)),
        "completed": (_("A referral was completed and its outcome recorded"), (REFERRER,)),
        "cancelled": (_("A referral to your organisation was cancelled"), (PARTNER,)),
        "outcome": (_("The service has ended: record the outcome of a referral"), (PARTNER,)),
    }


def recipients(referral: Referral, sides: tuple[str, ...]) -> list[str]:

    to: list[str] = []
    if PARTNER in sides:
        to += Membership.objects.filter(
            institution_id=referral.partner_id, is_active=True, role__in=PARTNER_ROLES
        ).values_list("user__email", flat=True)
        to.append(referral.service.contact_email)
    if REFERRER in sides:
        still_there = Membership.objects.filter(
            user_id=referral.created_by_id, institution_id=referral.referrer_id, is_active=True
        ).exists()
        if still_there:
            to.append(referral.created_by.email)
    return sorted({e for e in to if e})


def referral_notify_send(*, referral_id: int, what: str) -> int:
    referral = Referral.objects.select_related("service", "created_by").get(pk=referral_id)
    subject, sides = _messages()[what]
    to = recipients(referral, sides)
    if not to:
        return 0
    lines = [f"{subject}.", _("Referral no. %(n)s.") % {"n": referral.number}]
    if what == "sent":
        lines.append(_("Please answer by %(d)s.") % {"d": referral.respond_by.strftime("%d.%m.%Y")})
    lines.append(settings.SITE_URL + reverse("partners:referral", args=[referral.pk]))
    return send_mail(subject, "\n\n".join(lines), None, to)
