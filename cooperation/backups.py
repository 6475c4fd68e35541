"""Backups of the PostgreSQL database: pg_dump, and a restore that proves itself.

`backup_create` dumps the database in pg_dump's custom format, and next to it a
manifest: the row count of every table and a digest of the audit log, taken in the
very snapshot pg_dump reads (an exported snapshot), so they describe the dump exactly
even while the app keeps writing. `backup_restore` loads a dump into an empty
database and checks it against the manifest: every count, the audit digest, the
append-only trigger on the audit log, and no migration missing (the app starts on it).
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from django.db import connection

AUDIT_TRIGGER = "cooperation_auditevent_append_only"
AUDIT_DIGEST = """
SELECT count(*), coalesce(max(id), 0),
       coalesce(md5(string_agg(id::text || '|' || action || '|' || object_id || '|' || at::text,
                               ',' ORDER BY id)), '')
FROM cooperation_auditevent
"""


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class Target:
    """libpq connection parameters of one database."""

    host: str
    port: str
    user: str
    password: str
    name: str

    @classmethod
    def from_settings(cls, db: dict[str, Any]) -> Target:
        return cls(
            host=str(db.get("HOST") or ""),
            port=str(db.get("PORT") or ""),
            user=str(db.get("USER") or ""),
            password=str(db.get("PASSWORD") or ""),
            name=str(db["NAME"]),
        )

    @classmethod
    def from_url(cls, url: str) -> Target:
        import dj_database_url

        return cls.from_settings(dict(dj_database_url.parse(url)))

    def renamed(self, name: str) -> Target:
        return Target(self.host, self.port, self.user, self.password, name)

    def env(self) -> dict[str, str]:
        values = {"PGHOST": self.host, "PGPORT": self.port, "PGUSER": self.user}
        values |= {"PGPASSWORD": self.password, "PGDATABASE": self.name}
        return os.environ | {k: v for k, v in values.items() if v}

    def connect(self, **kwargs: Any) -> psycopg.Connection:
        params: dict[str, Any] = {"host": self.host, "port": self.port, "user": self.user}
        params |= {"password": self.password, "dbname": self.name}
        return psycopg.connect(**{k: v for k, v in params.items() if v}, **kwargs)


def _tables(cursor: Any) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    return [row[0] for row in cursor.fetchall()]


def inventory(cursor: Any) -> dict[str, Any]:
    """Row counts of every table and the audit log's digest, as the cursor sees them."""
    counts = {}
    for table in _tables(cursor):
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - names from pg_tables
        counts[table] = cursor.fetchone()[0]
    cursor.execute(AUDIT_DIGEST)
    rows, max_id, digest = cursor.fetchone()
    return {"tables": counts, "audit": {"rows": rows, "max_id": max_id, "md5": digest}}


def backup_create(*, path: Path, target: Target | None = None) -> dict[str, Any]:
    """Dump the database to `path` (custom format) and its manifest to `path`.json."""
    if connection.vendor != "postgresql":
        raise BackupError("backups are made with pg_dump: PostgreSQL only")
    target = target or Target.from_settings(connection.settings_dict)
    path.parent.mkdir(parents=True, exist_ok=True)
    with target.connect() as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        row = conn.execute("SELECT pg_export_snapshot()").fetchone()
        assert row is not None
        snapshot = row[0]
        with conn.cursor() as cursor:
            manifest = inventory(cursor)
        # pg_dump reads the same snapshot while this transaction stays open.
        subprocess.run(  # noqa: S603 - fixed arguments; pg_dump from PATH (PostgreSQL's client)
            [  # noqa: S607
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-acl",
                f"--snapshot={snapshot}",
                f"--file={path}",
            ],
            env=target.env(),
            check=True,
            capture_output=True,
        )
        conn.execute("COMMIT")
    manifest["dump"] = path.name
    Path(f"{path}.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return manifest


def _trigger_present(cursor: Any) -> bool:
    cursor.execute(
        "SELECT 1 FROM pg_trigger WHERE tgname = %s AND NOT tgisinternal AND tgenabled <> 'D'",
        [AUDIT_TRIGGER],
    )
    return cursor.fetchone() is not None


def backup_restore(*, path: Path, target: Target, create: bool = True) -> dict[str, Any]:
    """Restore `path` into the empty database `target` and check it against the manifest.

    Refuses a database that already has tables. Returns a report; `ok` is false when
    anything differs, with the differences listed.
    """
    manifest = json.loads(Path(f"{path}.json").read_text())
    if create:
        with target.renamed("postgres").connect(autocommit=True) as admin:
            exists = admin.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [target.name]
            ).fetchone()
            if not exists:
                admin.execute(f'CREATE DATABASE "{target.name}"')
    with target.connect() as conn, conn.cursor() as cursor:
        if _tables(cursor):
            raise BackupError(
                f"database {target.name} is not empty: restore only into an empty one"
            )
    subprocess.run(  # noqa: S603 - fixed arguments; pg_restore from PATH
        [  # noqa: S607
            "pg_restore",
            "--no-owner",
            "--no-acl",
            "--exit-on-error",
            f"--dbname={target.name}",
            str(path),
        ],
        env=target.env(),
        check=True,
        capture_output=True,
    )
    with target.connect() as conn, conn.cursor() as cursor:
        restored = inventory(cursor)
        trigger = _trigger_present(cursor)
    differences = [
        f"{table}: {count} in the backup, {restored['tables'].get(table)} restored"
        for table, count in manifest["tables"].items()
        if restored["tables"].get(table) != count
    ]
    if restored["audit"] != manifest["audit"]:
        differences.append(
            f"audit log: {manifest['audit']} in the backup, {restored['audit']} restored"
        )
    if not trigger:
        differences.append("the audit log's append-only trigger is missing")
    return {
        "ok": not differences,
        "database": target.name,
        "tables": len(restored["tables"]),
        "rows": sum(restored["tables"].values()),
        "audit": restored["audit"],
        "append_only_trigger": trigger,
        "differences": differences,
    }
