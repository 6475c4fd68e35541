"""The audit log as evidence: failed object access is recorded, and on
PostgreSQL the database refuses to change or delete audit rows."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from cooperation.models import AuditAction, AuditEvent

from ..factories import ClientFactory


def test_a_404_on_an_object_url_is_audited(client, own, outsider) -> None:
    theirs = ClientFactory(owner=own)
    client.force_login(outsider)
    url = reverse("clients:detail", args=[theirs.pk])
    assert client.get(url).status_code == 404
    event = AuditEvent.objects.get(action=AuditAction.DENIED)
    assert event.actor == outsider and event.reason == f"GET {url}"
    assert theirs.last_name not in event.reason


def test_a_403_on_an_object_url_is_audited(client, own, partner, owner) -> None:
    from ..factories import agreement_between

    agreement = agreement_between(own, partner)
    client.force_login(owner)  # a worker reads agreements but may not act on them
    assert client.get(reverse("agreements:terminate", args=[agreement.pk])).status_code == 403
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, actor=owner).exists()


def test_a_mistyped_page_is_not_an_access_attempt(client, owner) -> None:
    client.force_login(owner)
    client.get("/no-such-page/")
    assert not AuditEvent.objects.filter(action=AuditAction.DENIED).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_to_update_or_delete_audit_rows(own) -> None:
    event = AuditEvent.objects.create(
        institution=own, action=AuditAction.VIEW, object_label="klient #1"
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(object_label="zmienione")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    event.refresh_from_db()
    assert event.object_label == "klient #1"
