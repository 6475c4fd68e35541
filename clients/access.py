"""The client access table (`ClientAccess`): kept in step with the rules, and checked.

Who may see a client is decided by the permission layer: the owning institution,
and every institution whose group holds the `view_client` grant (guardian,
`ClientGroupObjectPermission`), which only `object_share` / `object_unshare`
write — called by the sharing services after they checked the agreement and the
consent, and by the services that end shares (withdrawal, lapse, agreement end,
closing). The access table is derived from exactly those two facts, here and
nowhere else:

- `access_sync(client)` rewrites one client's rows; `Client.save()` calls it (a
  new client, a changed name, status, PESEL or owner) and so do `object_share` /
  `object_unshare` through the client policy's `on_grants_changed`, inside the
  transaction that made the change;
- `access_expected()` recomputes every row from the rules and `access_drift()`
  compares; `manage.py access_check` reports it (and `--fix` repairs it), the
  nightly `clients.tasks.access_check_nightly` mails the counts to the admins.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from .models import Client, ClientAccess, ClientGroupObjectPermission

# The client's columns the access rows copy (sort and search keys of the list).
KEYS = ("last_name", "first_name", "status", "search_name", "pesel")
# A save touching none of these (nor the owner) leaves the access rows as they are.
SYNC_FIELDS = frozenset({*KEYS, "owner", "owner_id", "first_name", "last_name"})
VIEW_CODENAME = "view_client"

Row = tuple[bool, str, str, str, str, str]  # is_owner, then KEYS in order


def _keys(client: Any) -> tuple[str, ...]:
    return tuple(getattr(client, k) or "" for k in KEYS)


def _grantee_institutions(client_ids: Iterable[int] | None = None) -> Iterator[tuple[int, int]]:
    """(client id, institution id) of every view grant to an institution's group."""
    from cooperation.models import Institution

    group_to_inst = dict(Institution.objects.values_list("group_id", "pk"))
    grants = ClientGroupObjectPermission.objects.filter(permission__codename=VIEW_CODENAME)
    if client_ids is not None:
        grants = grants.filter(content_object_id__in=list(client_ids))
    for client_id, group_id in grants.values_list("content_object_id", "group_id").iterator(
        chunk_size=5000
    ):
        if group_id in group_to_inst:
            yield client_id, group_to_inst[group_id]


def _expected_for(client: Client) -> dict[int, Row]:
    keys = _keys(client)
    rows: dict[int, Row] = {}
    for _client_id, institution_id in _grantee_institutions([client.pk]):
        rows[institution_id] = (False, *keys)  # type: ignore[assignment]
    rows[client.owner_id] = (True, *keys)  # type: ignore[assignment]
    return rows


@transaction.atomic
def access_sync(client: Client) -> None:
    """Make the client's access rows what the rules say now: one for the owner, one
    per institution holding a view grant, each with the client's current keys."""
    expected = _expected_for(client)
    current = {a.institution_id: a for a in ClientAccess.objects.filter(client_id=client.pk)}
    stale = [a.pk for inst, a in current.items() if inst not in expected]
    if stale:
        ClientAccess.objects.filter(pk__in=stale).delete()
    for institution_id, (is_owner, *keys) in expected.items():
        values = dict(zip(KEYS, keys, strict=True), is_owner=is_owner)
        row = current.get(institution_id)
        if row is None:
            ClientAccess.objects.create(
                client_id=client.pk, institution_id=institution_id, **values
            )
        elif any(getattr(row, k) != v for k, v in values.items()):
            ClientAccess.objects.filter(pk=row.pk).update(**values)


def on_grants_changed(obj: Any, institution: Any) -> None:
    """The client policy's hook: `object_share` / `object_unshare` changed the grants
    of one client to one institution."""
    access_sync(obj)


# --- the check ---------------------------------------------------------------------


def access_expected() -> dict[tuple[int, int], Row]:
    """Every (institution, client) row the rules say should exist, with its values."""
    keys_of: dict[int, tuple[str, ...]] = {}
    expected: dict[tuple[int, int], Row] = {}
    for pk, owner_id, *keys in Client.objects.values_list("pk", "owner_id", *KEYS).iterator(
        chunk_size=5000
    ):
        keys_of[pk] = tuple(k or "" for k in keys)
        expected[(owner_id, pk)] = (True, *keys_of[pk])  # type: ignore[assignment]
    for client_id, institution_id in _grantee_institutions():
        if (institution_id, client_id) not in expected:
            expected[(institution_id, client_id)] = (False, *keys_of[client_id])  # type: ignore[assignment]
    return expected


def access_current() -> dict[tuple[int, int], Row]:
    rows = ClientAccess.objects.values_list("institution_id", "client_id", "is_owner", *KEYS)
    return {
        (inst, client): (is_owner, *(k or "" for k in keys))
        for inst, client, is_owner, *keys in rows.iterator(chunk_size=5000)
    }


@dataclass
class Drift:
    """What differs between the access table and the rules (pairs of (institution, client))."""

    missing: list[tuple[int, int]] = field(default_factory=list)  # visible, no row
    extra: list[tuple[int, int]] = field(default_factory=list)  # a row, not visible
    stale: list[tuple[int, int]] = field(default_factory=list)  # a row with wrong keys/flag

    def __bool__(self) -> bool:
        return bool(self.missing or self.extra or self.stale)

    @property
    def counts(self) -> dict[str, int]:
        return {"missing": len(self.missing), "extra": len(self.extra), "stale": len(self.stale)}

    @property
    def clients(self) -> set[int]:
        return {c for _i, c in (*self.missing, *self.extra, *self.stale)}


def access_drift() -> Drift:
    expected, current = access_expected(), access_current()
    drift = Drift()
    for pair, row in expected.items():
        if pair not in current:
            drift.missing.append(pair)
        elif current[pair] != row:
            drift.stale.append(pair)
    drift.extra = [pair for pair in current if pair not in expected]
    return drift


def access_fix(drift: Drift) -> int:
    """Rewrite the rows of every client the drift touches; returns how many clients."""
    ids = drift.clients
    for client in Client.objects.filter(pk__in=ids):
        access_sync(client)
    # Rows of clients that no longer exist cannot remain (the FK cascades), so every
    # id above is a client.
    return len(ids)


def access_check_report() -> dict[str, int]:
    """The nightly check: counts of differences; logged, and mailed to ADMINS when any.
    It repairs nothing — a difference is a bug to find, `access_check --fix` repairs."""
    import logging

    from django.core.mail import mail_admins

    drift = access_drift()
    counts = drift.counts
    if drift:
        logging.getLogger("clients.access").error("client access table drift: %s", counts)
        mail_admins(
            "Client access table differs from the rules",
            "The nightly access check found rows that differ from the visibility rules:\n"
            + "".join(f"  {kind}: {n}\n" for kind, n in counts.items())
            + "\nRun `manage.py access_check` to list them and `--fix` to rewrite them.",
        )
    return counts
