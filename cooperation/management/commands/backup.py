"""`manage.py backup FILE`: pg_dump of the database, with a manifest (FILE.json) of row
counts and the audit log's digest taken in the same snapshot. See cooperation.backups."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cooperation.backups import BackupError, backup_create


class Command(BaseCommand):
    help = "Dump the PostgreSQL database (custom format) with a manifest of row counts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: object, **options: object) -> None:
        path = options["file"]
        assert isinstance(path, Path)
        try:
            manifest = backup_create(path=path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"{path}: {len(manifest['tables'])} tables, {rows} rows, "
            f"{manifest['audit']['rows']} audit rows; manifest {path}.json"
        )
        if options["verbosity"] > 1:  # type: ignore[operator]
            self.stdout.write(json.dumps(manifest, indent=2))
