from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cooperation.models import Institution, Membership
from cooperation.roles import COORDINATOR_ROLES, MANAGING_ROLES

from .models import Consent


def consent_reminder_send(*, consent_id: int) -> int:
    """Tell the owning institution a consent lapses in 30 days. No personal data in the e-mail:
    only a link to the client's page, which requires login."""
    consent = Consent.objects.select_related("client", "recorded_by", "partner").get(pk=consent_id)
    coordinators = Membership.objects.filter(
        institution_id=consent.client.owner_id, is_active=True, role__in=COORDINATOR_ROLES
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


def retention_report_send(*, institution_id: int, counts: dict[str, int], applied: bool) -> int:
    """Tell an institution's coordinators and administrators how many of its own
    records the retention pass found due (or anonymised and erased). Counts per
    record type only: no names, no ids."""
    from .retention import retention_rule

    institution = Institution.objects.get(pk=institution_id)
    to = sorted(
        {
            e
            for e in Membership.objects.filter(
                institution=institution, is_active=True, role__in=MANAGING_ROLES
            ).values_list("user__email", flat=True)
            if e
        }
    )
    rules = [(rule, counts[kind]) for kind in counts if (rule := retention_rule(kind))]
    if not to or not rules:
        return 0
    total = sum(n for _rule, n in rules)
    if applied:
        subject = ngettext(
            "Retention at %(institution)s: %(n)d record anonymised or erased",
            "Retention at %(institution)s: %(n)d records anonymised or erased",
            total,
        )
        closing = _("The rows stay for statistics; the audit log records every erasure.")
    else:
        subject = ngettext(
            "Retention at %(institution)s: %(n)d record due for anonymisation or erasure",
            "Retention at %(institution)s: %(n)d records due for anonymisation or erasure",
            total,
        )
        closing = _(
            "Nothing has been changed yet: this is a report. The records will be "
            "anonymised or erased once automatic retention is turned on (RETENTION_APPLY)."
        )
    subject %= {"institution": institution.name, "n": total}
    lines = [
        _("%(label)s (kept for %(period)s, then %(action)s): %(n)d")
        % {"label": rule.label, "period": rule.period_text(), "action": rule.action, "n": n}
        for rule, n in rules
    ]
    body = "\n\n".join([subject + ".", "\n".join(lines), closing])
    return send_mail(subject, body, None, to)
