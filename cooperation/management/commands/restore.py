"""`manage.py restore FILE --into postgres://…/empty_db`: restore a backup into an empty
database, then prove it: every row count and the audit log's digest match the manifest,
the append-only trigger is there, and the app starts on it (no migration missing)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cooperation.backups import BackupError, Target, backup_restore


class Command(BaseCommand):
    help = "Restore a backup into an empty database and check it against its manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--into",
            required=True,
            help="URL of the database to fill (created if missing; must be empty)",
        )

    def handle(self, *args: object, **options: object) -> None:
        path, url = options["file"], str(options["into"])
        assert isinstance(path, Path)
        try:
            report = backup_restore(path=path, target=Target.from_url(url))
        except (BackupError, subprocess.CalledProcessError) as exc:
            raise CommandError(str(getattr(exc, "stderr", b"") or exc)) from exc
        report["app_starts"] = app_starts(url)
        if not report["app_starts"]:
            report["ok"] = False
            report["differences"].append("the app does not start on it (migrate --check failed)")
        self.stdout.write(json.dumps(report, indent=2))
        if not report["ok"]:
            raise CommandError("the restored database differs from the backup")


def app_starts(url: str) -> bool:
    """A fresh process of the app on the restored database: checks pass, no migration missing."""
    env = os.environ | {"DATABASE_URL": url}
    command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "migrate", "--check"]
    return subprocess.run(command, env=env, capture_output=True).returncode == 0  # noqa: S603
