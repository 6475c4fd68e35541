"""Name search regardless of case and diacritics: a stored folded name, and on
PostgreSQL a trigram index so `LIKE '%word%'` stays fast at 100,000 clients."""

from __future__ import annotations

import unicodedata

from django.db import migrations, models

_STROKES = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ø": "o", "Ø": "O"})


def _search_name(first_name: str, last_name: str) -> str:
    # Frozen copy of clients.names.search_name as of this migration.
    text = unicodedata.normalize("NFKD", f"{last_name} {first_name}".translate(_STROKES))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold().strip()


def fill(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    Client = apps.get_model("clients", "Client")
    batch = []
    for client in Client.objects.only("pk", "first_name", "last_name").iterator(chunk_size=2000):
        client.search_name = _search_name(client.first_name, client.last_name)
        batch.append(client)
        if len(batch) >= 2000:
            Client.objects.bulk_update(batch, ["search_name"])
            batch = []
    Client.objects.bulk_update(batch, ["search_name"])


def trigram_index(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite scans; the demo and tests are small
    # pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS clients_client_search_name_trgm "
        "ON clients_client USING gin (search_name gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS clients_client_search_name_trgm")


class Migration(migrations.Migration):
    dependencies = [("clients", "0006_consent_withdrawal")]

    operations = [
        migrations.AddField(
            model_name="client",
            name="search_name",
            field=models.CharField(blank=True, editable=False, max_length=201),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(trigram_index, drop_trigram_index),
    ]
