"""The client access table (see clients.access): created, filled from the owners and
the view grants, and on PostgreSQL a trigram index for name search by institution."""

import django.db.models.deletion
from django.db import migrations, models

KEYS = ("last_name", "first_name", "status", "search_name", "pesel")


def fill(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    # Frozen copy of clients.access: the owner's row, and one per institution whose
    # group holds view_client on the client.
    Client = apps.get_model("clients", "Client")
    Grant = apps.get_model("clients", "ClientGroupObjectPermission")
    Institution = apps.get_model("cooperation", "Institution")
    ClientAccess = apps.get_model("clients", "ClientAccess")
    inst_of_group = dict(Institution.objects.values_list("group_id", "pk"))
    grantees: dict[int, set[int]] = {}
    for client_id, group_id in Grant.objects.filter(
        permission__codename="view_client"
    ).values_list("content_object_id", "group_id"):
        if group_id in inst_of_group:
            grantees.setdefault(client_id, set()).add(inst_of_group[group_id])
    batch = []
    for pk, owner_id, *keys in Client.objects.values_list("pk", "owner_id", *KEYS).iterator(
        chunk_size=2000
    ):
        values = dict(zip(KEYS, (k or "" for k in keys)))
        batch.append(ClientAccess(client_id=pk, institution_id=owner_id, is_owner=True, **values))
        for inst in grantees.get(pk, ()):
            if inst != owner_id:
                batch.append(ClientAccess(client_id=pk, institution_id=inst, **values))
        if len(batch) >= 2000:
            ClientAccess.objects.bulk_create(batch)
            batch = []
    ClientAccess.objects.bulk_create(batch)


def trigram_index(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite scans; the demo and tests are small
    # Both are trusted extensions (PostgreSQL 13+): a database owner may create them.
    # btree_gin lets one GIN index hold the institution and the name's trigrams, so a
    # name search reads only the searching institution's matches.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS client_access_search_trgm ON clients_clientaccess "
        "USING gin (institution_id, search_name gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS client_access_search_trgm")


class Migration(migrations.Migration):

    dependencies = [
        ('clients', '0008_documents_consent_art9'),
        ('cooperation', '0005_documents_institution_gdpr'),
    ]

    operations = [
        migrations.CreateModel(
            name='ClientAccess',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('is_owner', models.BooleanField(default=False)),
                ('last_name', models.CharField(max_length=100)),
                ('first_name', models.CharField(max_length=100)),
                ('status', models.CharField(choices=[('active', 'active'), ('closed', 'closed')], max_length=10)),
                ('search_name', models.CharField(blank=True, max_length=201)),
                ('pesel', models.CharField(blank=True, max_length=11)),
                ('client', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='accesses', to='clients.client')),
                ('institution', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cooperation.institution')),
            ],
            options={
                'verbose_name': 'client access',
                'indexes': [models.Index(fields=['institution', 'last_name', 'first_name', 'client'], name='client_access_by_name'), models.Index(fields=['institution', 'status', 'last_name', 'first_name', 'client'], name='client_access_by_status'), models.Index(fields=['institution', 'is_owner', 'last_name', 'first_name', 'client'], name='client_access_by_holder'), models.Index(fields=['institution', 'pesel'], name='client_access_by_pesel', opclasses=['int8_ops', 'varchar_pattern_ops'])],
                'constraints': [models.UniqueConstraint(fields=('institution', 'client'), name='client_access_once')],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(trigram_index, drop_trigram_index),
    ]
