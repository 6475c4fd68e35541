"""The coordinator's list of lookups as CSV, for audits. Who asked, about whom
(PESEL masked), why, when and with what outcome — never SEPI's data itself."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperation.audit import audit
from cooperation.csvexport import csv_response
from cooperation.http import MemberRequest
from cooperation.models import AuditAction
from cooperation.validators import pesel_mask

from .models import Lookup, LookupStatus


def outcome(lookup: Lookup) -> str:
    if lookup.status == LookupStatus.FAILED:
        return f"{lookup.get_status_display()}: {lookup.get_failure_reason_display()}"
    if lookup.status == LookupStatus.DONE and lookup.from_cache:
        return f"{lookup.get_status_display()} ({_('saved answer')})"
    return lookup.get_status_display()


def lookups_csv(request: MemberRequest, lookups: QuerySet[Lookup]) -> HttpResponse:
    institution = request.institution
    audit(
        actor=request.user,
        action=AuditAction.EXPORT,
        fields=["sepi"],
        reason="SEPI lookups (CSV)",
        request=request,
    )
    filename = f"sepi-{institution.short_name}-{timezone.localdate():%Y-%m-%d}.csv"
    header = [
        _("Requested"),
        _("Who"),
        _("Client"),
        "PESEL",
        _("Purpose and legal basis"),
        _("Outcome"),
        _("Batch check"),
    ]
    rows = (
        [
            timezone.localtime(lookup.requested_at).strftime("%Y-%m-%d %H:%M"),
            lookup.requested_by.display_name,
            lookup.client.full_name,
            pesel_mask(lookup.pesel),
            lookup.get_purpose_display(),
            outcome(lookup),
            f"#{lookup.batch_id}" if lookup.batch_id else "",
        ]
        for lookup in lookups.iterator(chunk_size=500)
    )
    return csv_response(filename, header, rows)
