"""Retention: how long each kind of record keeps its personal data, and the pass
that anonymises or erases it when that time is up.

The periods are settings (`RETENTION` in cooperation/settings.py). Each app
registers a `RetentionRule` for its records under the `retention_rules` hook
in its `hooks.py`: this app for closed
clients, their documents and consent scans; sepi for SEPI answers; partners for
the client data in ended referrals. `retention_plan` lists what is due — ids
and the institutions they belong to, never personal data — and changes
nothing; `retention_apply` erases exactly that, each row in its own
transaction and only if it is still due, so a second run does nothing. Rows
stay wherever statistics count them (clients, plans, referrals and lookups by
status): only the personal data goes.

The audit log is never touched here: it is the evidence of who saw and changed
what. `RETENTION["audit_log_years"]` states how long the operator keeps it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from cooperation import events, hooks
from cooperation.audit import audit
from cooperation.models import AuditAction, Institution

from .models import Client, ClientDocument, ClientStatus, Consent
from .services import client_anonymise_expired

logger = logging.getLogger(__name__)

# The reason written to the audit log for everything the pass erases.
REASON = "retention"


@dataclass(frozen=True)
class RetentionRule:
    """One kind of record: when its personal data is due, and how it is erased."""

    kind: str  # stable key: JSON output, e-mails, task arguments
    label: str | Promise  # the record type, for people
    action: str | Promise  # what happens to it then, for people
    period: str  # key of settings.RETENTION; its suffix (_years, _months) is the unit
    # The rows whose period ended on or before the cutoff day and still hold personal data.
    due: Callable[[dt.date], QuerySet[Any]]
    institutions: tuple[str, ...]  # fields naming the institution(s) each row belongs to
    # Anonymise or erase one due row; runs in a transaction with the row locked.
    erase: Callable[[Any, dt.date], object]
    order: int = 50

    @property
    def amount(self) -> int:
        return settings.RETENTION[self.period]

    @property
    def unit(self) -> str:
        return self.period.rsplit("_", 1)[1]

    def cutoff(self, today: dt.date) -> dt.date:
        """The last day a record may have ended on to be due `today`."""
        return today - relativedelta(**{self.unit: self.amount})  # type: ignore[arg-type]

    def period_text(self) -> str:
        return period_text(self.amount, self.unit)


def period_text(amount: int, unit: str) -> str:
    if unit == "years":
        return ngettext("%(n)d year", "%(n)d years", amount) % {"n": amount}
    return ngettext("%(n)d month", "%(n)d months", amount) % {"n": amount}


def _rules() -> dict[str, RetentionRule]:
    """The rules by kind; a later registration of a kind replaces an earlier one."""
    return {rule.kind: rule for rule in hooks.get_hooks("retention_rules")}


def retention_rules() -> list[RetentionRule]:
    return sorted(_rules().values(), key=lambda rule: (rule.order, rule.kind))


def retention_rule(kind: str) -> RetentionRule | None:
    return _rules().get(kind)


def day_end(day: dt.date) -> dt.datetime:
    """The first moment after `day`, local time: `at < day_end(day)` means `at` fell
    on or before that day (and an index on `at` still serves the query)."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


# --- the report ------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionLine:
    """One record type in a report: the rows due (or, once applied, erased) by id,
    each with the institution(s) it belongs to; and the ids that failed."""

    kind: str
    cutoff: dt.date
    due: dict[int, frozenset[int]]
    failed: tuple[int, ...] = ()

    @property
    def rule(self) -> RetentionRule:
        return _rules()[self.kind]

    @property
    def ids(self) -> list[int]:
        return sorted(self.due)

    @property
    def count(self) -> int:
        return len(self.due)

    def by_institution(self) -> Counter[int]:
        return Counter(i for owners in self.due.values() for i in owners)


@dataclass(frozen=True)
class RetentionReport:
    """What the pass found due on `today` (or erased, when `applied`), per record type."""

    today: dt.date
    applied: bool
    lines: tuple[RetentionLine, ...]

    def by_institution(self) -> dict[int, dict[str, int]]:
        """Each institution's own records, per record type (types with none left out)."""
        counts: dict[int, dict[str, int]] = {}
        for line in self.lines:
            for institution_id, n in line.by_institution().items():
                counts.setdefault(institution_id, {})[line.kind] = n
        return counts

    def counts_for(self, institution_id: int) -> dict[str, int]:
        return self.by_institution().get(institution_id, {})

    def totals(self) -> dict[str, int]:
        return {line.kind: line.count for line in self.lines}


def retention_plan(*, today: dt.date | None = None) -> RetentionReport:
    """What the pass would anonymise or erase today: per record type, the ids due and
    the institutions they belong to. Only reads."""
    today = today or timezone.localdate()
    lines = []
    for rule in retention_rules():
        cutoff = rule.cutoff(today)
        rows = rule.due(cutoff).order_by().values_list("pk", *rule.institutions)
        due = {pk: frozenset(i for i in owners if i is not None) for pk, *owners in rows}
        lines.append(RetentionLine(rule.kind, cutoff, due))
    return RetentionReport(today=today, applied=False, lines=tuple(lines))


def retention_apply(*, report: RetentionReport) -> RetentionReport:
    """Anonymise or erase what `report` found due, as the system (no user acts).

    Each row is handled in its own transaction, locked and checked against its
    rule again: a row erased or changed since the report is skipped, so running
    twice does nothing the second time. A row that fails is logged and listed,
    and the rest go on. Returns what was done.
    """
    lines = []
    for line in report.lines:
        done, failed = {}, []
        for pk, owners in sorted(line.due.items()):
            try:
                if _erase_one(line.rule, pk, cutoff=line.cutoff, today=report.today):
                    done[pk] = owners
            except Exception:
                logger.exception("Retention: %s #%s could not be erased", line.kind, pk)
                failed.append(pk)
        lines.append(replace(line, due=done, failed=tuple(failed)))
    return replace(report, applied=True, lines=tuple(lines))


def _erase_one(rule: RetentionRule, pk: int, *, cutoff: dt.date, today: dt.date) -> bool:
    with transaction.atomic():
        row = rule.due(cutoff).filter(pk=pk).select_for_update(of=("self",)).first()
        if row is None:
            return False
        rule.erase(row, today)
        return True


def retention_run(*, today: dt.date | None = None) -> dict[str, int]:
    """The weekly pass: the plan, applied only when settings.RETENTION_APPLY is on;
    then each institution's coordinators and administrators are told the counts of
    their own records (an event, heard on commit). Returns the count per record type."""
    report = retention_plan(today=today)
    if settings.RETENTION_APPLY:
        report = retention_apply(report=report)
    logger.info("Retention (%s): %s", "applied" if report.applied else "dry run", report.totals())
    institutions = Institution.objects.in_bulk(list(report.by_institution()))
    for institution_id, counts in sorted(report.by_institution().items()):
        events.emit(
            "clients.retention_report",
            target=institutions[institution_id],
            counts=counts,
            applied=report.applied,
        )
    return report.totals()


def report_as_dict(report: RetentionReport) -> dict[str, Any]:
    """The report as JSON-ready data: ids and counts, institutions by short name."""
    names = dict(
        Institution.objects.filter(pk__in=report.by_institution()).values_list("pk", "short_name")
    )
    return {
        "date": report.today.isoformat(),
        "applied": report.applied,
        "record_types": [
            {
                "kind": line.kind,
                "period": {line.rule.unit: line.rule.amount},
                "cutoff": line.cutoff.isoformat(),
                "count": line.count,
                "ids": line.ids,
                "failed": list(line.failed),
                "by_institution": {
                    names[i]: n
                    for i, n in sorted(line.by_institution().items(), key=lambda c: names[c[0]])
                },
            }
            for line in report.lines
        ],
        "audit_log": {"kept_years": settings.RETENTION["audit_log_years"], "deleted": False},
    }


# --- this app's record types ------------------------------------------------------


def _closed_clients_due(cutoff: dt.date) -> QuerySet[Client]:
    return Client.objects.filter(
        status=ClientStatus.CLOSED, closed_at__lte=cutoff, anonymised_at__isnull=True
    )


def _anonymise_client(client: Client, today: dt.date) -> None:
    client_anonymise_expired(client=client, today=today)


def _documents_due(cutoff: dt.date) -> QuerySet[ClientDocument]:
    return ClientDocument.objects.filter(
        client__status=ClientStatus.CLOSED, client__closed_at__lte=cutoff
    ).select_related("client__owner")


def _delete_document(document: ClientDocument, today: dt.date) -> None:
    # Audited first: a deleted row has no id left to name.
    audit(
        actor=None,
        action=AuditAction.DELETE,
        obj=document,
        fields=["file", "title"],
        reason=REASON,
        institution=document.client.owner,
    )
    document.file.delete(save=False)
    document.delete()


def _consent_scans_due(cutoff: dt.date) -> QuerySet[Consent]:
    # A consent ends when it runs out or is withdrawn, whichever comes first.
    ended = Q(valid_until__lte=cutoff) | Q(withdrawn_at__lt=day_end(cutoff))
    return Consent.objects.exclude(scan="").filter(ended).select_related("client__owner")


def _delete_consent_scan(consent: Consent, today: dt.date) -> None:
    consent.scan.delete(save=False)
    # The stored path and the original name may hold the client's name too.
    consent.scan, consent.scan_filename = "", ""
    consent.save(update_fields=["scan", "scan_filename"])
    audit(
        actor=None,
        action=AuditAction.DELETE,
        obj=consent,
        fields=["scan"],
        reason=REASON,
        institution=consent.client.owner,
    )


# Documents and scans come before their clients: anonymising a client deletes
# them as well, and the report should say which rule took them.
CLIENT_RULES = (
    RetentionRule(
        kind="client_documents",
        label=_("Documents of closed clients"),
        action=pgettext_lazy("retention", "deleted"),
        period="client_documents_years",
        due=_documents_due,
        institutions=("client__owner",),
        erase=_delete_document,
        order=10,
    ),
    RetentionRule(
        kind="consent_scans",
        label=_("Scans of ended consents"),
        action=pgettext_lazy("retention", "scan deleted, the consent's record stays"),
        period="consent_scans_months",
        due=_consent_scans_due,
        institutions=("client__owner",),
        erase=_delete_consent_scan,
        order=20,
    ),
    RetentionRule(
        kind="closed_clients",
        label=_("Closed clients"),
        action=pgettext_lazy("retention", "anonymised"),
        period="closed_clients_years",
        due=_closed_clients_due,
        institutions=("owner",),
        erase=_anonymise_client,
        order=90,
    ),
)
