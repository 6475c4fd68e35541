"""`manage.py retention`: what the retention pass would anonymise or erase today.

A dry run by default (`--dry-run` says so explicitly); `--apply` does it, after
a confirmation unless `--no-input`. `--json` prints ids and counts instead of
the table. Unlike the weekly task, `--apply` does not wait for RETENTION_APPLY:
the operator running it is the decision. Nobody is e-mailed from here.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from clients.retention import (
    RetentionReport,
    period_text,
    report_as_dict,
    retention_apply,
    retention_plan,
)


class Command(BaseCommand):
    help = "Report (or with --apply, do) the anonymisation and erasure of records past retention."

    def add_arguments(self, parser: CommandParser) -> None:
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--dry-run", action="store_true", help="only report (the default)")
        mode.add_argument("--apply", action="store_true", help="anonymise and erase what is due")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="do not ask before --apply",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = retention_plan()
        if options["apply"]:
            if options["interactive"] and not self._confirmed(report):
                raise CommandError(_("Nothing was changed."))
            report = retention_apply(report=report)
        if options["json"]:
            self.stdout.write(json.dumps(report_as_dict(report), indent=2))
        else:
            self.stdout.write(self._table(report))
        if any(line.failed for line in report.lines):
            raise CommandError(_("Some records could not be erased; see the log."))

    def _confirmed(self, report: RetentionReport) -> bool:
        total = sum(report.totals().values())
        if not total:
            return True
        self.stderr.write(self._table(report))
        self.stderr.write(
            _("Type 'yes' to anonymise and erase these records for good: "), ending=""
        )
        return input().strip().lower() == "yes"

    def _table(self, report: RetentionReport) -> str:
        title = (
            _("Retention on %(date)s: applied.")
            if report.applied
            else _("Retention on %(date)s: dry run, nothing was changed.")
        ) % {"date": report.today.isoformat()}
        out = [title, "", *_grid(report), *_failures(report)]
        by_institution = _by_institution(report)
        if by_institution:
            out += ["", _("By institution:"), *by_institution]
        audit_period = period_text(settings.RETENTION["audit_log_years"], "years")
        out += [
            "",
            _("The audit log is kept for %(period)s and never deleted by the application.")
            % {"period": audit_period},
        ]
        return "\n".join(out)


def _grid(report: RetentionReport) -> list[str]:
    """One row per record type: label, period, what happens, count (right-aligned)."""
    count = (
        pgettext("retention report", "Done")
        if report.applied
        else pgettext("retention report", "Due")
    )
    header = (_("Record type"), _("Kept for"), _("Then"), count)
    rows = [header] + [
        (str(line.rule.label), line.rule.period_text(), str(line.rule.action), str(line.count))
        for line in report.lines
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return [
        "  ".join([*(row[i].ljust(widths[i]) for i in range(3)), row[3].rjust(widths[3])])
        for row in rows
    ]


def _failures(report: RetentionReport) -> list[str]:
    return [
        _("Failed: %(label)s %(ids)s")
        % {"label": line.rule.label, "ids": ", ".join(f"#{pk}" for pk in line.failed)}
        for line in report.lines
        if line.failed
    ]


def _by_institution(report: RetentionReport) -> list[str]:
    """A line per institution with records due: its short name, then label and count each."""
    counts: dict[str, list[str]] = {}
    entries = report_as_dict(report)["record_types"]
    for line, entry in zip(report.lines, entries, strict=True):
        for name, n in entry["by_institution"].items():
            counts.setdefault(name, []).append(f"{line.rule.label} {n}")
    return [f"  {name}: {'; '.join(items)}" for name, items in sorted(counts.items())]
