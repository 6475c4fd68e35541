"""Snapshots of database rows, to prove that a request changed nothing it must not.

`TenantSnapshot` covers every row that belongs to, or points at, a set of
institutions: their own rows, their people and groups, and — following foreign
keys — everything hanging off those rows (a meeting's minutes, a client's
consents, a grant of an object permission to their group). Taking one is one
query per model, so a test can afford it after every request.

`table_rows` is the blunt version: every row of the project's models.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import reduce
from operator import or_

from django.apps import apps
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q

from cooperation.models import Institution, Membership, User

# Bookkeeping, not tenant data: sessions, Django's own tables, the admin's log.
_SKIPPED_APPS = {"admin", "contenttypes", "sessions"}
_SKIPPED_MODELS = {"auth.Permission"}


def project_models() -> list[type[models.Model]]:
    return [
        m
        for m in apps.get_models()
        if m._meta.app_label not in _SKIPPED_APPS and m._meta.label not in _SKIPPED_MODELS
    ]


def _hashable(value: object) -> object:
    return repr(value) if isinstance(value, list | dict) else value


def _rows(qs: models.QuerySet) -> list[tuple]:
    names = [f.attname for f in qs.model._meta.concrete_fields]
    return [tuple(map(_hashable, row)) for row in qs.order_by("pk").values_list(*names)]


def table_rows(
    models_: Iterable[type[models.Model]] | None = None,
    exclude: Iterable[type[models.Model]] = (),
) -> dict[str, list[tuple]]:
    """Every row of every project model (bar `exclude`), by model label."""
    skip = set(exclude)
    return {
        m._meta.label: _rows(m._base_manager.all())
        for m in (models_ or project_models())
        if m not in skip
    }


class TenantSnapshot:
    """The rows of some institutions, and of everything that points at them.

    The set of "their" rows is fixed when the snapshot is made (a closure over
    foreign keys); a later `take()` also picks up *new* rows pointing at any of
    them, so a stray grant, invitation or note attached to their records shows.
    """

    def __init__(self, institutions: Iterable[Institution]) -> None:
        institution_pks = {i.pk for i in institutions}
        roots: dict[type[models.Model], set[object]] = {
            Institution: institution_pks,
            User: set(
                Membership.objects.filter(institution__in=institution_pks).values_list(
                    "user_id", flat=True
                )
            ),
            Group: set(
                Institution.objects.filter(pk__in=institution_pks).values_list(
                    "group_id", flat=True
                )
            ),
        }
        self.pks = self._closure(roots)
        self.filters = {m: q for m in project_models() if (q := self._filter(m)) is not None}

    def _filter(self, model: type[models.Model]) -> Q | None:
        parts = [Q(pk__in=self.pks[model])] if self.pks.get(model) else []
        for f in model._meta.concrete_fields:
            target = f.related_model if f.is_relation else None
            if target is not None and self.pks.get(target):
                parts.append(Q(**{f"{f.attname}__in": self.pks[target]}))
        return reduce(or_, parts) if parts else None

    def _closure(self, roots: dict[type[models.Model], set[object]]) -> dict:
        pks = {m: set(v) for m, v in roots.items()}
        changed = True
        while changed:
            changed = False
            for model in project_models():
                q = None
                for f in model._meta.concrete_fields:
                    target = f.related_model if f.is_relation else None
                    if target is not None and pks.get(target):
                        part = Q(**{f"{f.attname}__in": pks[target]})
                        q = part if q is None else q | part
                if q is None:
                    continue
                found = set(model._base_manager.filter(q).values_list("pk", flat=True))
                if not found <= pks.get(model, set()):
                    pks.setdefault(model, set()).update(found)
                    changed = True
        return pks

    def take(self) -> dict[str, list[tuple]]:
        return {m._meta.label: _rows(m._base_manager.filter(q)) for m, q in self.filters.items()}

    def ids(self) -> list[int]:
        """Every primary key of their rows: ammunition for a fuzz."""
        return sorted({pk for pks in self.pks.values() for pk in pks if isinstance(pk, int)})


def diff(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> dict[str, object]:
    """Which rows appeared, disappeared or changed, by model (empty when equal)."""
    out: dict[str, object] = {}
    for label in sorted(set(before) | set(after)):
        old, new = set(before.get(label, [])), set(after.get(label, []))
        if old != new:
            out[label] = {"gone": sorted(old - new, key=str), "new": sorted(new - old, key=str)}
    return out
