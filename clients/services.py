"""Writes of client records. Sharing under agreement and consent arrives with R3;
this module already withdraws shares when an agreement stops covering them."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from cooperation.audit import audit_many
from cooperation.models import AuditAction, Institution

from .models import Client, ClientGroupObjectPermission


@transaction.atomic
def client_shares_revoke_between(a: Institution, b: Institution, reason: str) -> int:
    """Withdraw every client share between two institutions (both directions), audited.

    Called when no agreement covers client records between them any more.
    """
    grants = ClientGroupObjectPermission.objects.filter(
        Q(content_object__owner=a, group_id=b.group_id)
        | Q(content_object__owner=b, group_id=a.group_id)
    )
    client_ids = set(grants.values_list("content_object_id", flat=True))
    if not client_ids:
        return 0
    deleted, _detail = grants.delete()
    clients = Client.objects.filter(pk__in=client_ids).only("pk")
    audit_many(
        actor=None,
        action=AuditAction.REVOKE,
        objects=clients,
        reason=f"{a.short_name}↔{b.short_name}: {reason}",
    )
    return deleted
