"""The audit log: written on every view of personal data, read by coordinators."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cooperation.audit import audit_many
from cooperation.models import AuditAction, AuditEvent

from ..factories import ClientFactory


def test_opening_a_client_writes_who_what_and_from_where(client, own, owner) -> None:
    c = ClientFactory(owner=own)
    client.force_login(owner)
    client.get(reverse("clients:detail", args=[c.pk]), REMOTE_ADDR="10.1.2.3")
    event = AuditEvent.objects.get(action=AuditAction.VIEW)
    assert (event.actor, event.institution, event.object_id, event.ip) == (
        owner,
        own,
        str(c.pk),
        "10.1.2.3",
    )
    assert "pesel" in event.fields


def test_the_log_never_stores_the_data_itself(client, own, owner) -> None:
    c = ClientFactory(owner=own)
    client.force_login(owner)
    client.get(reverse("clients:detail", args=[c.pk]))
    stored = " ".join(
        str(v) for v in AuditEvent.objects.values_list("object_label", "fields", "reason")
    )
    assert c.pesel not in stored and c.last_name not in stored


def test_writing_many_rows_is_one_insert(django_assert_num_queries, own, owner) -> None:
    clients = [ClientFactory(owner=own) for _ in range(20)]
    from cooperation.permissions import membership_of

    membership_of(owner)
    with django_assert_num_queries(1):
        audit_many(actor=owner, action=AuditAction.LIST, objects=clients)
    assert AuditEvent.objects.filter(action=AuditAction.LIST).count() == 20


def test_a_coordinator_sees_only_their_institutions_events(
    client, own, owner, coordinator, outsider, foreign
) -> None:
    ClientFactory(owner=foreign)
    client.force_login(outsider)
    client.get(reverse("home"))
    theirs = AuditEvent.objects.create(
        actor=outsider, institution=foreign, action=AuditAction.VIEW, object_label="obcy #1"
    )
    mine = AuditEvent.objects.create(
        actor=owner, institution=own, action=AuditAction.VIEW, object_label="nasz #2"
    )
    client.force_login(coordinator)
    body = client.get(reverse("cooperation:audit")).content.decode()
    assert mine.object_label in body
    assert theirs.object_label not in body


def test_a_worker_cannot_read_the_log(client, owner) -> None:
    client.force_login(owner)
    assert client.get(reverse("cooperation:audit")).status_code == 403


def test_an_upside_down_date_range_is_refused_next_to_the_field(client, coordinator) -> None:
    client.force_login(coordinator)
    response = client.get(
        reverse("cooperation:audit"), {"date_from": "2026-05-01", "date_to": "2026-04-01"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_date_to_error"' in body
    assert 'value="2026-05-01"' in body


@pytest.mark.parametrize("rows", [5, 60])
def test_the_log_page_costs_the_same_queries_for_any_size(
    client, django_assert_max_num_queries, own, owner, coordinator, rows
) -> None:
    AuditEvent.objects.bulk_create(
        AuditEvent(actor=owner, institution=own, action=AuditAction.VIEW, object_label=f"x #{i}")
        for i in range(rows)
    )
    client.force_login(coordinator)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("cooperation:audit")).status_code == 200
