"""Backups: dump, restore into an empty database, and the restored copy matches
(every row count, the audit log, the append-only trigger) and the app starts on it.

PostgreSQL only (pg_dump): skipped on SQLite, failed instead under REQUIRE_SERVICES=1."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from cooperation.audit import audit
from cooperation.backups import BackupError, Target, backup_create, backup_restore
from cooperation.management.commands.restore import app_starts
from cooperation.models import AuditAction

from ..factories import ClientFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def restore_target() -> Iterator[Target]:
    if connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("REQUIRE_SERVICES=1 but DATABASE_URL is not PostgreSQL")
        pytest.skip("backups use pg_dump: needs DATABASE_URL pointing at PostgreSQL")
    source = Target.from_settings(connection.settings_dict)
    target = source.renamed(f"{source.name}_restored")
    drop = f'DROP DATABASE IF EXISTS "{target.name}" WITH (FORCE)'
    with source.renamed("postgres").connect(autocommit=True) as admin:
        admin.execute(drop)
    yield target
    with source.renamed("postgres").connect(autocommit=True) as admin:
        admin.execute(drop)


def _url(target: Target) -> str:
    password = f":{target.password}" if target.password else ""
    host = f"{target.host or '127.0.0.1'}:{target.port or 5432}"
    return f"postgres://{target.user or 'postgres'}{password}@{host}/{target.name}"


def test_a_backup_restores_with_every_row_and_the_audit_log(  # type: ignore[no-untyped-def]
    tmp_path: Path, restore_target: Target, own, owner
) -> None:
    clients = ClientFactory.create_batch(3, owner=own)
    for client in clients:
        audit(actor=owner, action=AuditAction.VIEW, obj=client)
    dump = tmp_path / "cooperation.dump"

    manifest = backup_create(path=dump)
    report = backup_restore(path=dump, target=restore_target)

    assert manifest["tables"]["clients_client"] == 3
    assert manifest["audit"]["rows"] >= 3
    assert report["ok"], report["differences"]
    assert report["audit"] == manifest["audit"]
    assert report["append_only_trigger"]
    assert app_starts(_url(restore_target))


def test_the_restored_audit_log_is_still_append_only(  # type: ignore[no-untyped-def]
    tmp_path: Path, restore_target: Target, own, owner
) -> None:
    audit(actor=owner, action=AuditAction.VIEW, obj=ClientFactory(owner=own))
    dump = tmp_path / "cooperation.dump"
    backup_create(path=dump)
    backup_restore(path=dump, target=restore_target)

    with restore_target.connect() as conn, pytest.raises(psycopg.errors.RaiseException):
        conn.execute("UPDATE cooperation_auditevent SET reason = 'rewritten'")


def test_it_refuses_to_restore_over_a_database_with_tables(  # type: ignore[no-untyped-def]
    tmp_path: Path, restore_target: Target, own
) -> None:
    dump = tmp_path / "cooperation.dump"
    backup_create(path=dump)
    backup_restore(path=dump, target=restore_target)

    with pytest.raises(BackupError, match="not empty"):
        backup_restore(path=dump, target=restore_target)
