"""Import job offers from the national database (CBOP) for a labour office.

manage.py import_cbop --institution pup-skarzysko --file oferty.json
manage.py import_cbop --institution pup-skarzysko --url https://...
manage.py import_cbop                # every feed configured in CBOP_FEEDS
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cooperation.models import Institution
from joboffers.imports import cbop_import, cbop_import_url, configured_feeds
from joboffers.models import ImportRun, ImportStatus


class Command(BaseCommand):
    help = "Import job offers from a CBOP JSON file or URL (upsert by CBOP id; idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--institution", help="short name of the labour office (PUP)")
        source = parser.add_mutually_exclusive_group()
        source.add_argument("--file", type=Path, help="a CBOP JSON file")
        source.add_argument("--url", help="an http(s) address serving CBOP JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["file"] or options["url"]:
            if not options["institution"]:
                raise CommandError("--institution is required with --file or --url")
            runs = [self._one(self._office(options["institution"]), options)]
        else:
            feeds = configured_feeds()
            if not feeds:
                raise CommandError("Nothing to do: give --file or --url, or set CBOP_FEEDS.")
            runs = [self._one(office, {"url": url}) for office, url in feeds]
        for run in runs:
            self._report(run)
        if any(run.status == ImportStatus.FAILED for run in runs):
            raise CommandError("At least one feed could not be imported.")

    def _office(self, short_name: str) -> Institution:
        office = Institution.objects.filter(short_name=short_name).first()
        if office is None:
            raise CommandError(f"No institution with the short name {short_name!r}.")
        return office

    def _one(self, office: Institution, options: dict[str, Any]) -> ImportRun:
        try:
            if options.get("file"):
                path: Path = options["file"]
                try:
                    data = path.read_bytes()
                except OSError as exc:
                    raise CommandError(f"Cannot read {path}: {exc}") from exc
                return cbop_import(institution=office, data=data, source=str(path))
            try:
                return cbop_import_url(institution=office, url=options["url"])
            except OSError:
                # Recorded as a failed run by the service; report it with the others.
                return ImportRun.objects.filter(institution=office).order_by("-pk").first()  # type: ignore[return-value]
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc

    def _report(self, run: ImportRun) -> None:
        style = self.style.SUCCESS if run.status == ImportStatus.DONE else self.style.ERROR
        self.stdout.write(
            style(
                f"{run.institution.short_name}: {run.source} — {run.get_status_display()}: "
                f"{run.received} received, {run.created} new, {run.updated} changed, "
                f"{run.unchanged} unchanged, {run.expired} expired, {len(run.rejected)} rejected"
            )
        )
        if run.error:
            self.stdout.write(self.style.ERROR(f"  {run.error}"))
        for rejection in run.rejected:
            self.stdout.write(
                f"  rejected record {rejection['index']} (id {rejection['id'] or '—'}): "
                f"{rejection['reason']}"
            )
