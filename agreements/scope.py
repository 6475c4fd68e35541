"""The question every app asks: may data of scope S flow between A and B today?

Kept apart from the services so any app can import it without importing the
agreement workflow. One indexed query per call; `partners_covering` answers
for all partners at once (for form choices and list filters).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import Q, QuerySet
from django.utils import timezone

from cooperation import hooks
from cooperation.models import Institution

from .models import SCOPE_FIELDS, Agreement, Status

InstitutionRef = Institution | int


def _pk(ref: InstitutionRef) -> int:
    return ref.pk if isinstance(ref, Institution) else int(ref)


def in_force(on: dt.date | None = None) -> QuerySet[Agreement]:
    """Agreements binding on a date: active, started, not ended, not terminated."""
    day = on or timezone.localdate()
    return Agreement.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=day),
        Q(termination_date__isnull=True) | Q(termination_date__gt=day),
        status=Status.ACTIVE,
        valid_from__lte=day,
    )


def agreement_covers(
    a: InstitutionRef, b: InstitutionRef, scope: str, *, on: dt.date | None = None
) -> bool:
    """Does an agreement in force between institutions A and B cover `scope`?"""
    if _pk(a) == _pk(b):
        return True  # an institution never needs an agreement with itself
    return (
        in_force(on)
        .filter(**{SCOPE_FIELDS[scope]: True})
        .filter(parties__institution_id=_pk(a))
        .filter(parties__institution_id=_pk(b))
        .exists()
    )


def partners_covering(
    institution: InstitutionRef, scope: str, *, on: dt.date | None = None
) -> set[int]:
    """Ids of the institutions that an agreement in force links to `institution` for `scope`."""
    return set(partners_covering_query(institution, scope, on=on))


def partners_covering_query(
    institution: InstitutionRef, scope: str, *, on: dt.date | None = None
) -> QuerySet:
    """The same ids as a lazy query, to use as a subquery (`pk__in=`) without a round trip."""
    mine = in_force(on).filter(
        **{SCOPE_FIELDS[scope]: True}, parties__institution_id=_pk(institution)
    )
    from .models import Party

    return (
        Party.objects.filter(agreement__in=mine.values("pk"))
        .exclude(institution_id=_pk(institution))
        .values_list("institution_id", flat=True)
    )


# What other apps do when a scope stops covering a pair of institutions:
# e.g. clients revokes the client shares between them. Called inside the
# transaction that ends the coverage, so the access disappears with it.
# Registered in each app's hooks.py: `hooks.register(scope_lost_hook(Scope.X), handler)`.
ScopeLostHandler = Callable[[Institution, Institution, str], None]


def scope_lost_hook(scope: str) -> str:
    return f"scope_lost:{scope}"


def scope_lost_handlers(scope: str) -> list[ScopeLostHandler]:
    return hooks.get_hooks(scope_lost_hook(scope))
