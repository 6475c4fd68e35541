"""The audit log is evidence: on PostgreSQL the database itself refuses to
UPDATE or DELETE its rows (TRUNCATE, used only by test flushes and by an
operator on purpose, is not a row operation and stays possible)."""

from __future__ import annotations

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION cooperation_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'cooperation_auditevent is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS cooperation_auditevent_append_only ON cooperation_auditevent;
CREATE TRIGGER cooperation_auditevent_append_only
    BEFORE UPDATE OR DELETE ON cooperation_auditevent
    FOR EACH ROW EXECUTE FUNCTION cooperation_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS cooperation_auditevent_append_only ON cooperation_auditevent;
DROP FUNCTION IF EXISTS cooperation_audit_append_only();
"""


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("cooperation", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
