"""Indicators computed from what the apps hold, per scope and period.

One query per source model (conditional aggregates for the period and the one
before it), plus one per median: the number of queries does not grow with
the number of rows, institutions or agreements in a scope.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import reduce
from itertools import permutations
from operator import or_
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import Agreement, Party, Status
from agreements.scope import in_force
from agreements.selectors import agreements_visible_to
from cooperation.models import Institution, User
from cooperation.permissions import institution_of

from .definitions import Breakdown, Median, Metric, Source, Table, tables
from .models import IndicatorSnapshot
from .periods import YEAR, Period
from .suppression import suppress

OWN, COUNTY, AGREEMENT = "own", "county", "agreement"
Figures = dict[str, tuple[Any, Any]]  # key -> (this period, the one before)


@dataclass(frozen=True)
class Scope:
    """Whose figures: one institution's own work (exact), the joint work of an
    agreement's parties, or a county's network (suppressed)."""

    kind: str
    institutions: frozenset[int]
    label: str
    agreement: Agreement | None = None
    viewer: int | None = None  # a county's: whose agreements make the members
    # A county resolved for a period (see scope_at): the members during the
    # period and during the one before; each column counts its own members.
    members: tuple[frozenset[int], frozenset[int]] | None = None

    @property
    def key(self) -> str:
        return f"{AGREEMENT}-{self.agreement.pk}" if self.agreement else self.kind

    @property
    def exact(self) -> bool:
        return self.kind == OWN


# -- scopes -------------------------------------------------------------------


def scope_own(institution: Institution) -> Scope:
    return Scope(OWN, frozenset({institution.pk}), institution.name)


def county_institutions(institution: Institution, *, on: dt.date | None = None) -> frozenset[int]:
    """The viewer's institution and those of its county that have an agreement
    in force with it; nobody else's figures reach the county view."""
    linked = Party.objects.filter(
        agreement__in=in_force(on).filter(parties__institution=institution),
        institution__county=institution.county,
        institution__is_active=True,
    ).values_list("institution_id", flat=True)
    return frozenset({institution.pk, *linked})


def county_institutions_during(institution_pk: int, period: Period) -> frozenset[int]:
    """The viewer's institution and those of its county that had an agreement
    with it in force at any time during the period: an agreement that ended
    last year counts for last year, not for this one."""
    viewer = Institution.objects.filter(pk=institution_pk).values("county")
    in_force_then = Agreement.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=period.start),
        Q(termination_date__isnull=True) | Q(termination_date__gt=period.start),
        status__in=[Status.ACTIVE, Status.EXPIRED, Status.TERMINATED],
        valid_from__lt=period.end,
        parties__institution_id=institution_pk,
    )
    linked = Party.objects.filter(
        agreement__in=in_force_then,
        institution__county__in=viewer,
        institution__is_active=True,
    ).values_list("institution_id", flat=True)
    return frozenset({institution_pk, *linked})


def scope_county(institution: Institution) -> Scope:
    """The county as of today; `scope_at` gives its members for a period."""
    return Scope(
        COUNTY,
        county_institutions(institution),
        _("county %(county)s") % {"county": institution.county},
        viewer=institution.pk,
    )


def scope_at(scope: Scope, period: Period) -> Scope:
    """The scope whose figures are computed for `period`: a county's members
    are those with an agreement in force during each column's period."""
    if scope.kind != COUNTY or scope.viewer is None or scope.members is not None:
        return scope
    now = county_institutions_during(scope.viewer, period)
    before = county_institutions_during(scope.viewer, period.previous())
    return replace(scope, institutions=now | before, members=(now, before))


def agreements_for_indicators(user: User) -> QuerySet[Agreement]:
    """Agreements the user's institution is a party to that were ever signed."""
    return (
        agreements_visible_to(user)
        .filter(status__in=[Status.SIGNED, Status.ACTIVE, Status.EXPIRED, Status.TERMINATED])
        .order_by("-valid_from", "number")
    )


def scope_agreement(agreement: Agreement) -> Scope:
    parties = frozenset(p.institution_id for p in agreement.parties.all())
    return Scope(AGREEMENT, parties, agreement.number, agreement)


def scopes_for(user: User) -> list[Scope]:
    """Every scope the user may look at: own, county, then each agreement."""
    institution = institution_of(user)
    if institution is None:
        return []
    found = [scope_own(institution), scope_county(institution)]
    found += [scope_agreement(a) for a in agreements_for_indicators(user)]
    return found


def scope_for(user: User, key: str | None) -> Scope | None:
    """The scope named by `key` if the user may see it (None otherwise)."""
    institution = institution_of(user)
    if institution is None:
        return None
    if not key or key == OWN:
        return scope_own(institution)
    if key == COUNTY:
        return scope_county(institution)
    kind, _sep, pk = key.partition("-")
    if kind != AGREEMENT or not pk.isdigit():
        return None
    agreement = agreements_for_indicators(user).filter(pk=int(pk)).first()
    return scope_agreement(agreement) if agreement else None


# -- computing ------------------------------------------------------------------


def _scope_q(source: Source, scope: Scope, members: frozenset[int] | None = None) -> Q:
    ids = sorted(scope.institutions if members is None else members)
    if scope.kind == OWN:
        mine = Q(**{f"{source.side}__in": ids})
        return mine | Q(**{f"{source.other}__in": ids}) if source.other else mine
    if scope.kind == AGREEMENT and source.other:
        # Joint work only: rows where one party holds and another is on the other end.
        pairs = [Q(**{source.side: a, source.other: b}) for a, b in permutations(ids, 2)]
        return reduce(or_, pairs, Q(pk__in=[]))
    return Q(**{f"{source.side}__in": ids})


def _aggregate(metric: Metric, period: Period, *, distinct: bool, extra: Q) -> Any:
    where = metric.window(period) & extra
    if metric.aggregate.startswith("sum:"):
        return Sum(metric.aggregate[4:], filter=where)
    return Count("pk", filter=where, distinct=distinct)


def _source_qs(source: Source, scope: Scope, period: Period) -> QuerySet:
    model = apps.get_model(source.model)
    windows = [m.window(p) for m in source.metrics for p in (period, period.previous())]
    return model._default_manager.filter(_scope_q(source, scope)).filter(reduce(or_, windows))


def _aggregates(source: Source, scope: Scope, period: Period) -> dict[str, Any]:
    found = {}
    columns = ((0, period), (1, period.previous()))
    for metric in source.metrics:
        for i, p in columns:
            extra = _scope_q(source, scope, scope.members[i]) if scope.members else Q()
            found[f"{metric.key}__{i}"] = _aggregate(
                metric, p, distinct=source.fans_out, extra=extra
            )
    return found


def _medians(source: Source, scope: Scope, period: Period, found: Figures) -> None:
    model = apps.get_model(source.model)
    previous = period.previous()
    for median in source.medians:
        rows = (
            model._default_manager.filter(_scope_q(source, scope))
            .filter(
                **{
                    f"{median.on}__gte": previous.start_at,
                    f"{median.on}__lt": period.end_at,
                    f"{median.finish}__isnull": False,
                }
            )
            .values_list(median.on, median.start, median.finish, source.side)
        )
        spans: tuple[list[float], list[float]] = ([], [])
        for on, start, finish, side in rows:
            column = 0 if on >= period.start_at else 1
            if scope.members and side not in scope.members[column]:
                continue
            hours = (finish - start).total_seconds() / 3600 / median.unit
            spans[column].append(hours)
        found[median.key] = tuple(  # type: ignore[assignment]
            round(statistics.median(s), 1) if s else None for s in spans
        )
        if median.longest_key:
            found[median.longest_key] = tuple(  # type: ignore[assignment]
                round(max(s), 1) if s else None for s in spans
            )


def _breakdown_rows(
    breakdown: Breakdown,
    scope: Scope,
    period: Period,
    *,
    group: tuple[str, ...] = (),
    by: tuple[str, str] | None = None,
) -> dict[tuple[Any, ...], list[tuple[dict[str, Any], tuple[int, int]]]]:
    """The rows with a count in either column, per value of `group`, in the order
    of `by` (the label's path, then the id's): one query."""
    source = breakdown.source
    by = by or (breakdown.name, breakdown.by)
    rows = (
        _source_qs(source, scope, period)
        .values(*group, *by)
        .annotate(**_aggregates(source, scope, period))
        .order_by(*group, *by)
    )
    key = source.metrics[0].key
    found: dict[tuple[Any, ...], list[tuple[dict[str, Any], tuple[int, int]]]] = {}
    for row in rows:
        pair = (row[f"{key}__0"] or 0, row[f"{key}__1"] or 0)
        if pair != (0, 0):
            found.setdefault(tuple(row[g] for g in group), []).append((row, pair))
    return found


def _breakdown_fill(
    breakdown: Breakdown, listed: list[tuple[str, str, tuple[int, int]]], found: Figures
) -> None:
    """A row per (key, label, pair) and the total of the rows."""
    for row_key, _label, pair in listed:
        found[row_key] = pair
    found[breakdown.key] = (sum(p[0] for *_r, p in listed), sum(p[1] for *_r, p in listed))
    # The rows' (key, label) pairs ride along with the figures (and their cache entry).
    found[breakdown.rows_key] = tuple((k, label) for k, label, _p in listed)  # type: ignore[assignment]


def _breakdown(breakdown: Breakdown, scope: Scope, period: Period, found: Figures) -> None:
    """The total and a row per value of `by` (one query), rows in label order."""
    rows = _breakdown_rows(breakdown, scope, period).get((), [])
    listed = [
        (breakdown.row_key(row[breakdown.by]), row[breakdown.name], pair) for row, pair in rows
    ]
    _breakdown_fill(breakdown, listed, found)


def figures_compute(scope: Scope, period: Period) -> Figures:
    """Every indicator for the scope, this period and the one before."""
    scope = scope_at(scope, period)
    found: Figures = {}
    for table in tables():
        for source in table.sources:
            row = _source_qs(source, scope, period).aggregate(**_aggregates(source, scope, period))
            for metric in source.metrics:
                found[metric.key] = (row[f"{metric.key}__0"] or 0, row[f"{metric.key}__1"] or 0)
            _medians(source, scope, period, found)
        if table.breakdown:
            _breakdown(table.breakdown, scope, period, found)
    return found


def _scope_key(scope: Scope) -> str:
    """Whose rows the figures count: the members (each column's, for a county, and
    the viewer it is the county of). A new agreement makes a new key."""
    sets = scope.members or (scope.institutions,)
    ids = "/".join(",".join(str(i) for i in sorted(members)) for members in sets)
    key = f"{scope.viewer}:{ids}" if scope.kind == COUNTY else ids
    return key if len(key) <= 200 - 7 else "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def _cache_key(scope: Scope, period: Period) -> str:
    return f"indicators:v5:{scope.kind}:{_scope_key(scope)}:{period.code}"


# -- kept figures ---------------------------------------------------------------
#
# Figures are kept in `IndicatorSnapshot` rows (the source, which the nightly task
# fills) with the cache in front of them. Each is served while fresh: figures of a
# period that had not ended when they were computed for INDICATORS_CACHE_SECONDS
# (the period's rows still change), of one that had ended for
# INDICATORS_ENDED_SECONDS (from one night's run to the next). Stale or missing:
# computed now and kept. INDICATORS_CACHE_SECONDS = 0 computes on every request.


def _encode(value: Any) -> Any:
    """Figures as JSON: tuples become lists, a sum of hours {"d": "1.5"}."""
    if isinstance(value, Decimal):
        return {"d": str(value)}
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    return value


def _decode(value: Any) -> Any:
    """The figures as computed: every list a tuple again, each {"d": …} a Decimal."""
    if isinstance(value, list):
        return tuple(_decode(v) for v in value)
    if isinstance(value, dict):
        if set(value) == {"d"}:
            return Decimal(value["d"])
        return {k: _decode(v) for k, v in value.items()}
    return value


def _fresh_seconds(period: Period, computed_at: dt.datetime) -> int:
    if not settings.INDICATORS_CACHE_SECONDS:
        return 0
    if computed_at >= period.end_at:
        return max(settings.INDICATORS_ENDED_SECONDS, settings.INDICATORS_CACHE_SECONDS)
    return settings.INDICATORS_CACHE_SECONDS


def _left(period: Period, computed_at: dt.datetime, now: dt.datetime) -> int:
    """Seconds the figures computed at that moment stay fresh (0: stale)."""
    return max(0, int(_fresh_seconds(period, computed_at) - (now - computed_at).total_seconds()))


def _snapshot_store(scope: Scope, period: Period, figures: Figures, at: dt.datetime) -> None:
    """Insert or replace the scope's row for the period: one statement, so two
    workers storing the same key at once leave one row (the later figures)."""
    IndicatorSnapshot.objects.bulk_create(
        [
            IndicatorSnapshot(
                scope_kind=scope.kind,
                scope_key=_scope_key(scope),
                period_kind=period.kind,
                period_start=period.start,
                figures=_encode(figures),
                computed_at=at,
            )
        ],
        update_conflicts=True,
        unique_fields=["scope_kind", "scope_key", "period_kind", "period_start"],
        update_fields=["figures", "computed_at"],
    )


def _figure_keys() -> frozenset[str]:
    """Every key a computed set of figures holds."""
    keys: set[str] = set()
    for table in tables():
        for source in table.sources:
            keys |= {m.key for m in source.metrics} | {m.key for m in source.medians}
            keys |= {m.longest_key for m in source.medians if m.longest_key}
        if table.breakdown:
            keys |= {table.breakdown.key, table.breakdown.rows_key}
    return frozenset(keys)


def _snapshot_read(scope: Scope, period: Period) -> tuple[Figures, dt.datetime] | None:
    """The kept figures, unless an indicator added since is missing from them."""
    row = (
        IndicatorSnapshot.objects.filter(
            scope_kind=scope.kind,
            scope_key=_scope_key(scope),
            period_kind=period.kind,
            period_start=period.start,
        )
        .values_list("figures", "computed_at")
        .first()
    )
    if row is None or not _figure_keys() <= row[0].keys():
        return None
    return _decode(row[0]), row[1]


def figures_keep(scope: Scope, period: Period) -> tuple[Figures, dt.datetime]:
    """Compute the figures now and keep them (the table, then the cache)."""
    scope = scope_at(scope, period)
    computed = (figures_compute(scope, period), timezone.now())
    _snapshot_store(scope, period, *computed)
    if seconds := _fresh_seconds(period, computed[1]):
        cache.set(_cache_key(scope, period), computed, seconds)
    return computed


def figures_cached(scope: Scope, period: Period) -> tuple[Figures, dt.datetime]:
    """The figures and the moment they were computed ("stan na …"): from the
    cache, else from the table the nightly task fills, else computed now and
    kept in both. A scope is keyed by its members, so a new agreement starts
    afresh, and one institution's figures are never another's."""
    if not settings.INDICATORS_CACHE_SECONDS:
        return figures_compute(scope, period), timezone.now()
    scope = scope_at(scope, period)
    key, now = _cache_key(scope, period), timezone.now()
    if (kept := cache.get(key)) is not None and _left(period, kept[1], now):
        return kept
    stored = _snapshot_read(scope, period)
    if stored is not None and (left := _left(period, stored[1], now)):
        cache.set(key, stored, left)  # the table is the source; the cache only in front
        return stored
    return figures_keep(scope, period)


def figures_precompute(*, institution_ids: Iterable[int] | None = None) -> int:
    """Nightly: for each active institution, its own and its county's figures and
    those of each agreement it is party to in force, for this year and the last,
    into the table (and the cache); then the rows no longer fresh are deleted, so
    the table holds one day's keys, not every key ever asked for. Safe to run
    twice at once (each row is an upsert). Returns how many scopes were computed."""
    today = timezone.localdate()
    institutions = Institution.objects.filter(is_active=True)
    if institution_ids is not None:
        institutions = institutions.filter(pk__in=list(institution_ids))
    done, agreements_done = 0, set()
    for institution in institutions.order_by("pk"):
        scopes = [scope_own(institution), scope_county(institution)]
        for agreement in (
            in_force().filter(parties__institution=institution).prefetch_related("parties")
        ):
            if agreement.pk not in agreements_done:
                agreements_done.add(agreement.pk)
                scopes.append(scope_agreement(agreement))
        for scope in scopes:
            for year in (today.year, today.year - 1):
                figures_keep(scope, Period(YEAR, year))
                done += 1
    figures_forget()
    return done


def figures_forget() -> int:
    """Delete the snapshots too old to be served by any rule: a county whose
    members changed, a month nobody asks for again. Returns how many."""
    longest = max(settings.INDICATORS_ENDED_SECONDS, settings.INDICATORS_CACHE_SECONDS)
    cutoff = timezone.now() - dt.timedelta(seconds=longest)
    deleted, _kinds = IndicatorSnapshot.objects.filter(computed_at__lt=cutoff).delete()
    return deleted


def figures_by_area(scope: Scope, period: Period) -> dict[tuple[str, str], Figures]:
    """Counts per (gmina, institution kind) of the holding institution, for the
    county planning export. Medians are left out: a median of a small group
    says too much."""
    scope = scope_at(scope, period)
    grouped: dict[tuple[str, str], Figures] = {}
    for table in tables():
        for source in table.sources:
            keys = (f"{source.side}__municipality", f"{source.side}__kind")
            rows = (
                _source_qs(source, scope, period)
                .values(*keys)
                .annotate(**_aggregates(source, scope, period))
                .order_by(*keys)
            )
            for row in rows:
                figures = grouped.setdefault((row[keys[0]], row[keys[1]]), {})
                for metric in source.metrics:
                    figures[metric.key] = (
                        row[f"{metric.key}__0"] or 0,
                        row[f"{metric.key}__1"] or 0,
                    )
        if table.breakdown:
            _breakdown_by_area(table.breakdown, scope, period, grouped)
    return grouped


def _breakdown_by_area(
    breakdown: Breakdown, scope: Scope, period: Period, grouped: dict[tuple[str, str], Figures]
) -> None:
    """A breakdown's rows (boards, attending institutions) within each (gmina, kind)
    of the holder, each row named by its own institution's kind and gmina: the
    planning export names no institution (one query)."""
    from cooperation.models import InstitutionKind

    side = breakdown.source.side
    institution = breakdown.by.removesuffix("_id")
    kinds = dict(InstitutionKind.choices)
    by = (f"{institution}__municipality", f"{institution}__kind")
    found = _breakdown_rows(
        breakdown,
        scope,
        period,
        group=(f"{side}__municipality", f"{side}__kind"),
        by=by,
    )
    for (gmina, kind), rows in found.items():
        listed = [
            (
                breakdown.row_key(f"{row[by[1]]}:{row[by[0]]}"),
                f"{kinds.get(row[by[1]], row[by[1]])}, {row[by[0]]}",
                pair,
            )
            for row, pair in rows
        ]
        _breakdown_fill(breakdown, listed, grouped.setdefault((gmina, kind), {}))


# -- presenting -----------------------------------------------------------------


def _metrics(table: Table) -> list[Metric | Median]:
    found: list[Metric | Median] = []
    for source in table.sources:
        found += source.metrics
        found += source.medians
    return found


def _longest(table: Table) -> list[tuple[str, Any, str]]:
    return [
        (m.longest_key, m.longest_label, m.base)
        for s in table.sources
        for m in s.medians
        if m.longest_key
    ]


def _breakdown_layout(
    breakdown: Breakdown, figures: Figures
) -> tuple[dict[str, Any], tuple[tuple[str, tuple[str, ...]], ...]]:
    """The total and its rows as labels, and the identity total = sum of rows."""
    rows = dict(figures.get(breakdown.rows_key) or ())
    labels = {breakdown.key: breakdown.label} | rows
    return labels, ((breakdown.key, tuple(rows)),)


def table_cells(table: Table, figures: Figures, *, exact: bool) -> list[dict[str, Any]]:
    """The rows of one table, each with its two cells, suppressed unless exact."""
    counts = [m.key for m in _metrics(table) if isinstance(m, Metric) and m.aggregate == "count"]
    dependents = {m.key: m.base for m in _metrics(table) if m.base}
    dependents |= {key: base for key, _l, base in _longest(table)}
    labels = {m.key: m.label for m in _metrics(table)} | {k: lab for k, lab, _b in _longest(table)}
    charted = {m.key for m in _metrics(table) if isinstance(m, Metric) and m.chart}
    groups = table.groups
    if table.breakdown:
        labels, groups = _breakdown_layout(table.breakdown, figures)
        # A few rows are drawn one bar each; many (a county's boards) only as the total.
        rows = [k for k in labels if k != table.breakdown.key]
        counts, charted = list(labels), set(rows) if 0 < len(rows) <= 8 else {table.breakdown.key}
    columns = [
        suppress(
            {k: figures[k][i] for k in labels if k in figures},
            counts=counts,
            groups=groups,
            dependents=dependents,
            exact=exact,
        )
        for i in (0, 1)
    ]
    parts = {p for _t, ps in groups for p in ps}
    return [
        {
            "key": key,
            "label": str(label),
            "current": columns[0][key],
            "previous": columns[1][key],
            "chart": key in charted,
            "part": key in parts,
        }
        for key, label in labels.items()
        if key in figures
    ]


def _short(label: str, limit: int = 16) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def dashboard_tables(scope: Scope, period: Period, figures: Figures) -> list[dict[str, Any]]:
    """Tables ready for the page, the CSV and the report: rows of cells and a chart."""
    from cooperation.charts import bar_chart

    shown = []
    for table in tables():
        rows = table_cells(table, figures, exact=scope.exact)
        charted = [
            {
                "label": r["label"],
                "short": _short(r["label"]),
                "current": r["current"].number,
                "current_text": r["current"].text,
                "previous": r["previous"].number,
                "previous_text": r["previous"].text,
            }
            for r in rows
            if r["chart"]
        ]
        chart = bar_chart(
            charted,
            series=(
                ("current", "chart__bar--current", period.label),
                ("previous", "chart__bar--previous", period.previous().label),
            ),
            label="label",
            group_gap=90,
        )
        shown.append({"key": table.key, "title": table.title, "rows": rows, "chart": chart})
    return shown


def csv_rows(tables_shown: Iterable[dict[str, Any]], only: str | None = None) -> list[list[str]]:
    return [
        [str(t["title"]), r["label"], r["current"].text, r["previous"].text]
        for t in tables_shown
        if only in (None, t["key"])
        for r in t["rows"]
    ]


def county_csv_rows(scope: Scope, period: Period) -> tuple[list[str], list[list[str]]]:
    """The county-planning export: counts by gmina and institution kind, always
    suppressed (it leaves the institutions), with no names and no totals row."""
    from cooperation.models import InstitutionKind

    header = [
        _("Municipality (gmina)"),
        _("Institution kind"),
        _("Table"),
        _("Indicator"),
        period.label,
        period.previous().label,
    ]
    kinds = dict(InstitutionKind.choices)
    rows = []
    for (gmina, kind), figures in sorted(figures_by_area(scope, period).items()):
        for table in tables():
            for row in table_cells(table, figures, exact=False):
                rows.append(
                    [
                        gmina,
                        str(kinds.get(kind, kind)),
                        str(table.title),
                        row["label"],
                        row["current"].text,
                        row["previous"].text,
                    ]
                )
    return header, rows
