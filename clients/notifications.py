from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _

from cooperation.models import Membership, Role

from .models import Consent


def consent_reminder_send(*, consent_id: int) -> int:
    """Tell the owning institution a consent lapses in 30 days. No personal data in the e-mail:
    only a link to the client's page, which requires login."""
    consent = Consent.objects.select_related("client", "recorded_by", "partner").get(pk=consent_id)
    coordinators = Membership.objects.filter(
        institution_id=consent.client.owner_id, is_active=True, role=Role.COORDINATOR
    ).values_list("user__email", flat=True)
    to = sorted({e for e in [consent.recorded_by.email, *coordinators] if e})
    if not to:
        return 0
    link = settings.SITE_URL + reverse("clients:detail", args=[consent.client_id]) + "?tab=sharing"
    subject = _("A client's consent for sharing with %(partner)s lapses in 30 days") % {
        "partner": consent.partner.name
    }
    body = "\n\n".join(
        [
            subject + ".",
            _("Ask the client to renew it, or sharing will end on %(date)s.")
            % {"date": consent.valid_until.strftime("%d.%m.%Y")},
            link,
        ]
    )
    return send_mail(subject, body, None, to)
