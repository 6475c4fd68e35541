"""E-mails about joint plans.

No personal data in the subject or the body: the plan's number, what happened,
and a link to its page, which requires login and permission.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cooperation.models import User


def plan_partner_left_send(*, plan_id: int, user_id: int, steps: int) -> int:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return 0
    subject = _("A partner institution left a joint plan")
    lines = [
        _("Plan no. %(n)s: a partner institution no longer has access to the client.")
        % {"n": plan_id},
        ngettext(
            "%(k)s open step returned to your institution and is now assigned to you.",
            "%(k)s open steps returned to your institution and are now assigned to you.",
            steps,
        )
        % {"k": steps}
        if steps
        else _("It had no open steps."),
        settings.SITE_URL + reverse("reintegration:detail", args=[plan_id]),
    ]
    return send_mail(subject, "\n\n".join(lines), None, [user.email])
