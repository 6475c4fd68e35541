"""Build the synthetic dataset with bulk inserts (no services, no signals).

Rows are valid as the services would leave them: PESELs with their checksum,
one owning institution per record, shares (guardian grant + ClientShare +
Consent) only between institutions of one county whose agreement in force
covers client records, offers shown on boards only with the board's grant.
Primary keys are assigned here (the database is new), so children reference
parents without reading them back; sequences are reset at the end.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.core.management.color import no_style
from django.db import connection, models
from django.utils import timezone

from agreements.models import Agreement, AgreementEvent, AgreementTerms, Party
from clients.access import KEYS as ACCESS_KEYS
from clients.models import Client, ClientAccess, ClientGroupObjectPermission, ClientShare, Consent
from clients.names import search_name
from cooperation.models import AuditEvent, Institution, Membership, User
from cooperation.validators import make_pesel
from joboffers.models import Board, JobOffer, JobOfferGroupObjectPermission, Publication
from meetings.models import Event, EventInstitution, Invitee, Occurrence
from notifications.models import Notice
from reintegration.models import (
    AREA_ORDER,
    Goal,
    NeedAssessment,
    Participant,
    PlanChange,
    ReintegrationPlan,
    Step,
)


@dataclass(frozen=True)
class Scale:
    name: str
    institutions: int  # five per county: OPS, PCPR, PUP, NGO, PES
    clients: int
    plans: int
    steps_per_plan: int
    audit: int
    offers: int
    events: int
    requests: int  # timed requests per page
    pdf_repeats: int


SCALES = {
    "tiny": Scale("tiny", 10, 200, 100, 10, 2_000, 100, 50, 3, 1),
    "small": Scale("small", 20, 2_000, 1_000, 10, 20_000, 400, 100, 10, 2),
    "medium": Scale("medium", 100, 20_000, 10_000, 10, 200_000, 4_000, 1_000, 30, 3),
    "full": Scale("full", 200, 100_000, 50_000, 10, 1_000_000, 20_000, 5_000, 50, 5),
    # Issue 18: the country (about 3,300 institutions, 2,000,000 clients, 20,000,000
    # audit rows). Not run yet: the build holds every client row in memory (~3 GB).
    "national": Scale(
        "national", 3_300, 2_000_000, 200_000, 10, 20_000_000, 100_000, 20_000, 30, 3
    ),
}


def scale_for(name: str, clients: int = 0) -> Scale:
    """A declared scale, or one of its size for `clients` clients: institutions,
    plans, audit rows, offers and events in the same proportion (national / 4 is
    500,000 clients, 825 institutions, 5,000,000 audit rows)."""
    base = SCALES[name]
    if not clients or clients == base.clients:
        return base
    f = clients / base.clients
    counties = max(2, round(base.institutions * f / len(KINDS)))
    return Scale(
        f"{name}@{clients}",
        counties * len(KINDS),
        clients,
        max(10, round(base.plans * f)),
        base.steps_per_plan,
        max(100, round(base.audit * f)),
        max(20, round(base.offers * f)),
        max(10, round(base.events * f)),
        base.requests,
        base.pdf_repeats,
    )


KINDS = ["ops", "pcpr", "pup", "ngo", "pes"]
CLIENT_OWNER_KINDS = ("ops", "pcpr", "pup")
BOARD_KINDS = ("ops", "pcpr")
ROLES = ["social_worker", "client_advisor", "coordinator", "institution_admin", "social_worker"]
# The measured tenant (ops-01) is a city MOPS: it owns this share of all clients,
# so "page 500" of its list exists at full scale (15,000 clients, 25 a page).
BIG_TENANT_SHARE = 0.15
NOTICES = 10_000  # one person's notices, at every scale
BIRTH0 = dt.date(1946, 1, 1)

FIRST_F = [
    "Anna",
    "Maria",
    "Katarzyna",
    "Małgorzata",
    "Agnieszka",
    "Barbara",
    "Ewa",
    "Zofia",
    "Krystyna",
    "Elżbieta",
    "Joanna",
    "Magdalena",
    "Monika",
    "Danuta",
    "Irena",
    "Halina",
]
FIRST_M = [
    "Piotr",
    "Krzysztof",
    "Andrzej",
    "Tomasz",
    "Jan",
    "Paweł",
    "Michał",
    "Marcin",
    "Stanisław",
    "Jakub",
    "Adam",
    "Marek",
    "Łukasz",
    "Grzegorz",
    "Mateusz",
    "Wojciech",
]
LAST = [
    "Nowak",
    "Kowalsk",
    "Wiśniewsk",
    "Wójcik",
    "Kowalczyk",
    "Kamińsk",
    "Lewandowsk",
    "Zielińsk",
    "Szymańsk",
    "Woźniak",
    "Dąbrowsk",
    "Kozłowsk",
    "Jankowsk",
    "Mazur",
    "Kwiatkowsk",
    "Krawczyk",
    "Piotrowsk",
    "Grabowsk",
    "Nowakowsk",
    "Pawłowsk",
    "Michalsk",
    "Nowick",
    "Adamczyk",
    "Dudek",
    "Zając",
    "Wieczorek",
    "Jabłońsk",
    "Król",
    "Majewsk",
    "Olszewsk",
    "Jaworsk",
    "Wróbel",
    "Malinowsk",
    "Pawlak",
    "Witkowsk",
    "Walczak",
    "Stępień",
    "Górsk",
    "Rutkowsk",
    "Michalak",
    "Sikora",
    "Ostrowsk",
    "Baran",
    "Duda",
    "Szewczyk",
]
POSITIONS = [
    "magazynier",
    "sprzedawca",
    "kucharz",
    "pomoc kuchenna",
    "sprzątaczka",
    "kierowca kat. C",
    "operator wózka widłowego",
    "pracownik produkcji",
    "opiekunka",
    "murarz",
    "ogrodnik",
    "księgowa",
    "recepcjonista",
    "kasjer",
    "spawacz",
    "elektryk",
    "tynkarz",
    "piekarz",
]
AREAS = list(AREA_ORDER)


def _last_name(i: int, female: bool) -> str:
    stem = LAST[i % len(LAST)]
    if stem.endswith("sk") or stem.endswith("ck"):
        return stem + ("a" if female else "i")
    return stem


# The institutions whose client lists the measuring side needs (bench/measure.py ROLES):
# only theirs are kept in memory (`World`).
TRACKED = ("ops-01", "pup-01")
PARTNER_KIND = {"ops": "pup", "pcpr": "ops", "pup": "ops"}


class People:
    """Every client's attributes as a function of its key (1..N), so the build can
    stream them table by table without holding the rows: client k is owned by the
    big tenant for the first 15 %, then round-robin by the other owning institutions;
    every third client is shared with one partner of the owner's county."""

    def __init__(
        self,
        scale: Scale,
        insts: list[dict[str, Any]],
        big: int,
        kind_in_county: dict[tuple[str, str], int],
    ) -> None:
        self.count = scale.clients
        self.n_big = int(scale.clients * BIG_TENANT_SHARE)
        self.big = big
        owners = [i for i in insts if i["kind"] in CLIENT_OWNER_KINDS]
        self.others = [o["id"] for o in owners if o["id"] != big]
        self.partner_of_owner = {
            o["id"]: kind_in_county[(o["county"], PARTNER_KIND[o["kind"]])] for o in owners
        }

    def ids(self) -> range:
        return range(1, self.count + 1)

    def shared_ids(self) -> range:
        return range(3, self.count + 1, 3)

    def owner(self, pk: int) -> int:
        n = pk - 1
        return self.big if n < self.n_big else self.others[(n - self.n_big) % len(self.others)]

    def partner(self, pk: int) -> int | None:
        return None if pk % 3 else self.partner_of_owner[self.owner(pk)]

    def closed(self, pk: int) -> bool:
        return (pk - 1) % 5 == 4

    def plan_candidates(self) -> Iterator[int]:
        """Active clients, the shared ones (joint plans) first."""
        shared = (pk for pk in self.shared_ids() if not self.closed(pk))
        rest = (pk for pk in self.ids() if pk % 3 and not self.closed(pk))
        return itertools.chain(shared, rest)

    def row(self, pk: int) -> dict[str, Any]:
        """The client's columns but those the build adds (dates, city, creator)."""
        n = pk - 1
        female = n % 2 == 0
        birth = BIRTH0 + dt.timedelta(days=n % 20000)
        last = _last_name(n * 7 + n // 45, female)
        first = (FIRST_F if female else FIRST_M)[(n * 3) % 16]
        return {
            "id": pk,
            "owner_id": self.owner(pk),
            "pesel": make_pesel(birth, n // 20000 + 1, female=female),
            "first_name": first,
            "last_name": last,
            # COPY bypasses Client.save(), which keeps this column.
            "search_name": search_name(first, last),
            "birth_date": birth,
            "sex": "F" if female else "M",
            "phone": f"6{n:08d}",
            "street": f"ul. Polna {n % 200 + 1}",
            "postal_code": "26-110",
            "education": ["primary", "vocational", "secondary", "higher"][n % 4],
            "status": "closed" if self.closed(pk) else "active",
        }


class Loader:
    """Insert rows (dicts keyed by attname) fast: COPY on PostgreSQL, executemany elsewhere."""

    def __init__(self, batch: int = 5000) -> None:
        self.pg = connection.vendor == "postgresql"
        self.batch = batch
        self.now = timezone.now()
        self.counts: dict[str, int] = {}
        self.seconds: dict[str, float] = {}
        self.models: list[type[models.Model]] = []
        self.deferred: list[tuple[str, str]] = []  # (index name, CREATE INDEX …), PostgreSQL
        self.index_seconds = 0.0

    def _specs(self, model: type[models.Model]) -> list[tuple[str, str, Any, Callable | None]]:
        specs = []
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                default: Any = ("const", self.now)
            elif f.has_default():
                default = ("call", f.default) if callable(f.default) else ("const", f.default)
            elif f.null:
                default = ("const", None)
            elif f.empty_strings_allowed:
                default = ("const", "")
            else:
                default = ("missing", None)
            prep = None
            if isinstance(f, models.JSONField) or (
                not self.pg
                and isinstance(f, (models.DateField, models.DecimalField, models.UUIDField))
            ):
                prep = f
            specs.append((f.attname, f.column, default, prep))
        return specs  # type: ignore[return-value]

    def _touch(self, model: type[models.Model]) -> None:
        """First rows for a table: on PostgreSQL, drop its indexes that back no
        constraint, to build each once at the end (`finish`) instead of updating it
        row by row — at national scale the difference is most of the build."""
        if model in self.models:
            return
        self.models.append(model)
        if not self.pg:
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i "
                "WHERE i.schemaname = current_schema() AND i.tablename = %s "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = "
                "(quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)",
                [model._meta.db_table],
            )
            for name, definition in cursor.fetchall():
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
                self.deferred.append((name, definition))

    def _count(self, model: type[models.Model], n: int, started: float) -> None:
        key = model.__name__
        self.counts[key] = self.counts.get(key, 0) + n
        self.seconds[key] = self.seconds.get(key, 0.0) + time.perf_counter() - started

    def insert_select(
        self, model: type[models.Model], sql: str, params: list[Any] | dict[str, Any]
    ) -> int:
        """Rows the database derives itself (`INSERT … SELECT`): no Python per row."""
        started = time.perf_counter()
        self._touch(model)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            n = cursor.rowcount
        self._count(model, n, started)
        return n

    def insert(self, model: type[models.Model], rows: Iterable[dict[str, Any]]) -> int:
        started = time.perf_counter()
        self._touch(model)
        specs = self._specs(model)
        table = connection.ops.quote_name(model._meta.db_table)
        cols = ", ".join(connection.ops.quote_name(c) for _a, c, _d, _p in specs)

        def tuples() -> Iterator[tuple]:
            for row in rows:
                out = []
                for attname, _column, (how, default), prep in specs:
                    if attname in row:
                        value = row[attname]
                    elif how == "const":
                        value = default
                    elif how == "call":
                        value = default()
                    else:
                        raise KeyError(f"{model.__name__}.{attname} is required")
                    if prep is not None and value is not None:
                        value = prep.get_db_prep_value(value, connection, prepared=False)  # type: ignore[attr-defined]
                    out.append(value)
                yield tuple(out)

        n = 0
        with connection.cursor() as cursor:
            if self.pg:
                with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for t in tuples():
                        copy.write_row(t)
                        n += 1
            else:
                placeholders = ", ".join(["%s"] * len(specs))
                sql = f"INSERT INTO {table} ({cols}) VALUES ({placeholders})"  # noqa: S608
                chunk: list[tuple] = []
                for t in tuples():
                    chunk.append(t)
                    if len(chunk) >= self.batch:
                        cursor.executemany(sql, chunk)
                        n += len(chunk)
                        chunk = []
                if chunk:
                    cursor.executemany(sql, chunk)
                    n += len(chunk)
        self._count(model, n, started)
        return n

    def start(self) -> None:
        """On PostgreSQL, load without the per-row FK triggers (they would all fire at
        COMMIT: millions of single-row lookups); `verify_foreign_keys` checks them after."""
        if self.pg:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = replica")

    def verify_foreign_keys(self) -> int:
        """One anti-join per foreign key of every loaded table; raises on a dangling key."""
        qn = connection.ops.quote_name
        checked = 0
        with connection.cursor() as cursor:
            for model in self.models:
                for f in model._meta.concrete_fields:
                    if not f.is_relation or not f.many_to_one and not f.one_to_one:
                        continue
                    parent = f.related_model._meta  # type: ignore[union-attr]
                    target = f.target_field.column  # type: ignore[attr-defined]
                    cursor.execute(  # names from the models' metadata, no input
                        f"SELECT count(*) FROM {qn(model._meta.db_table)} c "  # noqa: S608
                        f"LEFT JOIN {qn(parent.db_table)} p ON c.{qn(f.column)} = p.{qn(target)} "  # type: ignore[arg-type]
                        f"WHERE c.{qn(f.column)} IS NOT NULL AND p.{qn(target)} IS NULL"  # type: ignore[arg-type]
                    )
                    dangling = cursor.fetchone()[0]
                    if dangling:
                        raise RuntimeError(f"{model.__name__}.{f.name}: {dangling} dangling keys")
                    checked += 1
        return checked

    def build_indexes(self) -> int:
        """Create the indexes `_touch` dropped, now that the rows are in."""
        started = time.perf_counter()
        with connection.cursor() as cursor:
            if self.deferred:
                cursor.execute("SET maintenance_work_mem = '512MB'")
            for _name, definition in self.deferred:
                cursor.execute(definition)
            if self.deferred:
                cursor.execute("RESET maintenance_work_mem")
        self.index_seconds = time.perf_counter() - started
        built, self.deferred = len(self.deferred), []
        return built

    def finish(self) -> None:
        self.build_indexes()
        if self.pg:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), self.models):
                cursor.execute(sql)
            cursor.execute("ANALYZE")


@dataclass
class World:
    """What the measuring side needs to know about the built data."""

    scale: Scale
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    build_seconds: float = 0.0
    vacuum_seconds: float = 0.0
    institution_ids: dict[str, int] = field(default_factory=dict)  # short_name -> pk
    user_ids: dict[str, int] = field(default_factory=dict)  # "<short>-<role>" -> pk
    clients_of: dict[int, list[int]] = field(default_factory=dict)  # owner pk -> client pks
    shared_with: dict[int, list[int]] = field(default_factory=dict)  # partner pk -> client pks
    plan_of: dict[int, int] = field(default_factory=dict)  # client pk -> open plan pk
    board_of: dict[int, int] = field(default_factory=dict)  # institution pk -> board pk
    offers_on_board: dict[int, list[int]] = field(default_factory=dict)  # board pk -> offer pks
    pesel_of: dict[int, str] = field(default_factory=dict)  # clients_of's clients only
    last_name_of: dict[int, str] = field(default_factory=dict)

    @classmethod
    def from_database(cls, scale: Scale) -> World:
        """What `build` returned, read back from a database it built earlier
        (`manage.py bench --reuse`): the build and the timed run can be apart."""
        from cooperation.models import Membership

        world = cls(scale)
        world.institution_ids = dict(Institution.objects.values_list("short_name", "pk"))
        for user_id, username in User.objects.values_list("pk", "username"):
            world.user_ids[username] = user_id
        tracked = [world.institution_ids[s] for s in TRACKED if s in world.institution_ids]
        for pk, owner, pesel, last in (
            Client.objects.filter(owner_id__in=tracked)
            .order_by("pk")
            .values_list("pk", "owner_id", "pesel", "last_name")
            .iterator(chunk_size=10_000)
        ):
            world.clients_of.setdefault(owner, []).append(pk)
            world.pesel_of[pk] = pesel
            world.last_name_of[pk] = last
        for client, partner in (
            ClientShare.objects.filter(partner_id__in=tracked)
            .order_by("client_id")
            .values_list("client_id", "partner_id")
            .iterator(chunk_size=10_000)
        ):
            world.shared_with.setdefault(partner, []).append(client)
        world.plan_of = dict(
            ReintegrationPlan.objects.filter(status="open").values_list("client_id", "pk")
        )
        world.board_of = dict(Board.objects.values_list("institution_id", "pk"))
        for board, offer in (
            Publication.objects.filter(ended_at__isnull=True)
            .order_by("offer_id")
            .values_list("board_id", "offer_id")
        ):
            world.offers_on_board.setdefault(board, []).append(offer)
        world.counts = {"Client": Client.objects.count(), "Membership": Membership.objects.count()}
        return world


def build(scale: Scale, *, seed: int = 10, log: Callable[[str], None] = print) -> World:
    started = time.perf_counter()
    rnd = random.Random(seed)
    L = Loader()
    L.start()
    now = L.now
    today = timezone.localdate()
    world = World(scale)

    def step(msg: str) -> None:
        log(f"  [{time.perf_counter() - started:6.1f}s] {msg}")

    # --- institutions and their groups --------------------------------------------------
    counties = scale.institutions // len(KINDS)
    insts: list[dict[str, Any]] = []
    for c in range(1, counties + 1):
        county = f"powiat-{c:02d}"
        for kind in KINDS:
            pk = len(insts) + 1
            short = f"{kind}-{c:02d}"
            insts.append(
                {
                    "id": pk,
                    "kind": kind,
                    "pes_subkind": "cis" if kind == "pes" else "",
                    "name": f"{kind.upper()} {county}",
                    "short_name": short,
                    "county": county,
                    "municipality": f"gmina-{c:02d}",
                    "city": f"Miasto {c:02d}",
                    "street": f"ul. Urzędowa {c}",
                    "postal_code": f"{20 + c % 70:02d}-{c:03d}",
                    "email": f"{short}@example.pl",
                    "group_id": pk,
                }
            )
            world.institution_ids[short] = pk
    L.insert(Group, ({"id": i["id"], "name": f"institution:{i['short_name']}"} for i in insts))
    L.insert(Institution, insts)
    by_county: dict[str, list[dict[str, Any]]] = {}
    for i in insts:
        by_county.setdefault(i["county"], []).append(i)
    kind_in_county = {(i["county"], i["kind"]): i["id"] for i in insts}
    inst_by_id = {i["id"]: i for i in insts}

    # --- users and memberships ----------------------------------------------------------
    users, members = [], []  # type: ignore[var-annotated]
    users_of: dict[int, dict[str, int]] = {}
    for i in insts:
        for n, role in enumerate(ROLES):
            pk = len(users) + 1
            key = f"{i['short_name']}-{role}" + (f"-{n}" if n == 4 else "")
            users.append(
                {
                    "id": pk,
                    "password": "!bench-unusable",
                    "username": key,
                    "first_name": FIRST_F[pk % len(FIRST_F)],
                    "last_name": _last_name(pk, True),
                    "email": f"{key}@example.pl",
                    "is_active": True,
                    "is_staff": False,
                    "is_superuser": False,
                    "date_joined": now,
                }
            )
            members.append({"id": pk, "user_id": pk, "institution_id": i["id"], "role": role})
            world.user_ids[key] = pk
            users_of.setdefault(i["id"], {}).setdefault(role, pk)
    L.insert(User, users)
    L.insert(Membership, members)
    # Coordinators and administrators must have an authenticator app (cooperation.mfa).
    from allauth.mfa.models import Authenticator

    L.insert(
        Authenticator,
        (
            {
                "id": n,
                "user_id": m["user_id"],
                "type": Authenticator.Type.TOTP,
                "data": {"secret": "JBSWY3DPEHPK3PXP"},
                "created_at": now,
                "last_used_at": None,
            }
            for n, m in enumerate(
                (m for m in members if m["role"] in ("coordinator", "institution_admin")), 1
            )
        ),
    )
    step(f"{len(insts)} institutions, {len(users)} users")

    # --- agreements: one in force per county (all five parties, every scope), plus history
    agreements, parties, terms, agr_events = [], [], [], []  # type: ignore[var-annotated]
    scopes_all = {
        f"scope_{s}": True
        for s in ("client_records", "joint_plans", "sepi", "job_offers", "promotion", "referrals")
    }
    for c, (county, members_c) in enumerate(by_county.items(), start=1):
        ops = kind_in_county[(county, "ops")]
        history = [
            ("active", None, None),
            ("expired", -1500, -400),
            ("terminated", -1200, None),
            ("expired", -2200, -1500),
        ]
        for seq, (status, start, end) in enumerate(history, start=1):
            pk = len(agreements) + 1
            valid_from = today + dt.timedelta(days=start if start else -400)
            agreements.append(
                {
                    "id": pk,
                    "number": f"POR/{c:02d}/{seq}/{valid_from.year}",
                    "year": valid_from.year,
                    "sequence": seq,
                    "initiator_id": ops,
                    "title": f"Porozumienie o współpracy — {county} ({seq})",
                    "body": "Strony porozumienia współpracują w zakresie reintegracji. " * 20,
                    "valid_from": valid_from,
                    "valid_until": today + dt.timedelta(days=end) if end else None,
                    "status": status,
                    "termination_date": today - dt.timedelta(days=300)
                    if status == "terminated"
                    else None,
                    "termination_reason": "Zmiana zakresu." if status == "terminated" else "",
                    "terminated_by_id": ops if status == "terminated" else None,
                    "created_by_id": users_of[ops]["coordinator"],
                    **scopes_all,
                }
            )
            chosen = members_c if seq == 1 else members_c[:2]
            for m in chosen:
                parties.append(
                    {
                        "id": len(parties) + 1,
                        "agreement_id": pk,
                        "institution_id": m["id"],
                        "signatory_name": "Anna Nowak",
                        "signatory_function": "Dyrektor",
                        "accepted_at": now - dt.timedelta(days=400),
                        "accepted_by_id": users_of[m["id"]]["coordinator"],
                    }
                )
            terms.append(
                {
                    "id": len(terms) + 1,
                    "agreement_id": pk,
                    "effective_from": valid_from,
                    "valid_until": agreements[-1]["valid_until"],
                    **scopes_all,
                }
            )
            for kind in ("created", "sent", "signed", "activated"):
                agr_events.append(
                    {
                        "id": len(agr_events) + 1,
                        "agreement_id": pk,
                        "at": now,
                        "kind": kind,
                        "actor_id": users_of[ops]["coordinator"],
                        "institution_id": ops,
                    }
                )
    L.insert(Agreement, agreements)
    L.insert(Party, parties)
    L.insert(AgreementTerms, terms)
    L.insert(AgreementEvent, agr_events)
    step(f"{len(agreements)} agreements")

    # --- clients ------------------------------------------------------------------------
    # Streamed: every client's attributes are a function of its key (`People`), so no
    # pass holds the rows (2,000,000 at national scale); only the measured
    # institutions' lists are kept (`World`).
    big = world.institution_ids["ops-01"]
    people = People(scale, insts, big, kind_in_county)
    tracked = {world.institution_ids[s] for s in TRACKED if s in world.institution_ids}

    def client_rows() -> Iterator[dict[str, Any]]:
        for pk in people.ids():
            row = people.row(pk)
            owner = row["owner_id"]
            created = now - dt.timedelta(
                days=rnd.randint(0, 6 * 365), seconds=rnd.randint(0, 86399)
            )
            closed = row["status"] == "closed"
            row["closed_at"] = (created + dt.timedelta(days=200)).date() if closed else None
            row["created_at"] = created
            row["created_by_id"] = users_of[owner]["social_worker"]
            row["city"] = inst_by_id[owner]["city"]
            row["municipality"] = inst_by_id[owner]["municipality"]
            if owner in tracked:
                world.clients_of.setdefault(owner, []).append(pk)
                world.pesel_of[pk] = row["pesel"]
                world.last_name_of[pk] = row["last_name"]
            yield row

    n_clients = L.insert(Client, client_rows())
    step(f"{n_clients} clients")

    # --- shares: a third of the clients, each with one partner of the same county -------
    # Client k*3 is shared; its consent and share have the key k, its two grants 2k-1, 2k.
    view_client = Permission.objects.get(content_type__app_label="clients", codename="view_client")
    change_client = Permission.objects.get(
        content_type__app_label="clients", codename="change_client"
    )

    def consent_rows() -> Iterator[dict[str, Any]]:
        for pk in people.shared_ids():
            recorder = users_of[people.owner(pk)]["social_worker"]
            given = today - dt.timedelta(days=rnd.randint(1, 300))
            yield {
                "id": pk // 3,
                "client_id": pk,
                "partner_id": people.partner(pk),
                "basis": "consent",
                "scopes": ["client_records", "joint_plans"],
                "given_on": given,
                "valid_until": given + dt.timedelta(days=730),
                "recorded_by_id": recorder,
                "recorded_at": now,
            }

    def share_rows() -> Iterator[dict[str, Any]]:
        for pk in people.shared_ids():
            partner = people.partner(pk)
            if partner in tracked:
                world.shared_with.setdefault(partner, []).append(pk)
            yield {
                "id": pk // 3,
                "client_id": pk,
                "partner_id": partner,
                "consent_id": pk // 3,
                "created_by_id": users_of[people.owner(pk)]["social_worker"],
                "created_at": now,
            }

    def grant_rows() -> Iterator[dict[str, Any]]:
        for pk in people.shared_ids():
            for n, perm in enumerate((view_client.pk, change_client.pk)):
                yield {
                    "id": 2 * (pk // 3) - 1 + n,
                    "group_id": people.partner(pk),
                    "permission_id": perm,
                    "content_object_id": pk,
                }

    n_consents = L.insert(Consent, consent_rows())
    n_shares = L.insert(ClientShare, share_rows())
    n_grants = L.insert(ClientGroupObjectPermission, grant_rows())
    step(f"{n_shares} shares ({n_grants} guardian rows)")

    # --- the access table: the owner's row and one per partner holding the grant -------
    # (what clients.access.access_sync writes; COPY bypasses it). Copied in the database.
    qn = connection.ops.quote_name
    keys = ", ".join(qn(k) for k in ACCESS_KEYS)
    c_keys = ", ".join(f"c.{qn(k)}" for k in ACCESS_KEYS)
    access_cols = f"institution_id, client_id, is_owner, {keys}"
    n_access = L.insert_select(
        ClientAccess,
        f"INSERT INTO {qn(ClientAccess._meta.db_table)} ({access_cols}) "  # noqa: S608
        f"SELECT c.owner_id, c.id, %s, {c_keys} FROM {qn(Client._meta.db_table)} c ORDER BY c.id",
        [True],
    )
    n_access += L.insert_select(
        ClientAccess,
        f"INSERT INTO {qn(ClientAccess._meta.db_table)} ({access_cols}) "  # noqa: S608
        f"SELECT s.partner_id, c.id, %s, {c_keys} FROM {qn(ClientShare._meta.db_table)} s "
        f"JOIN {qn(Client._meta.db_table)} c ON c.id = s.client_id ORDER BY c.id",
        [False],
    )
    step(f"{n_access} access rows")

    # --- reintegration plans, goals, steps, needs, history ------------------------------
    # Plans go first to shared clients (joint plans), then to the big tenant's own.
    plan_clients = list(itertools.islice(people.plan_candidates(), scale.plans))
    owner_of = people.owner
    partner_of = people.partner

    def plans() -> Iterator[dict[str, Any]]:
        for n, cid in enumerate(plan_clients):
            owner = owner_of(cid)
            closed = n % 10 == 9
            yield {
                "id": n + 1,
                "client_id": cid,
                "status": "closed" if closed else "open",
                "social_worker_id": users_of[owner]["social_worker"],
                "coordinator_id": users_of[owner]["coordinator"],
                "next_review_date": today + dt.timedelta(days=n % 90 - 20),
                "created_at": now - dt.timedelta(days=n % 700),
                "created_by_id": users_of[owner]["social_worker"],
                "closed_at": now - dt.timedelta(days=3) if closed else None,
                "closed_by_id": users_of[owner]["social_worker"] if closed else None,
                "closing_outcome": "goals_met" if closed else "",
                "closing_note": "Cel osiągnięty." if closed else "",
            }

    L.insert(ReintegrationPlan, plans())
    for n, cid in enumerate(plan_clients):
        if n % 10 != 9:
            world.plan_of[cid] = n + 1

    def participants() -> Iterator[dict[str, Any]]:
        pk = 0
        for n, cid in enumerate(plan_clients):
            owner = owner_of(cid)
            for inst in (owner, partner_of(cid)):
                if inst:
                    pk += 1
                    yield {
                        "id": pk,
                        "plan_id": n + 1,
                        "institution_id": inst,
                        "added_at": now,
                        "added_by_id": users_of[owner]["coordinator"],
                    }

    L.insert(Participant, participants())

    def goals() -> Iterator[dict[str, Any]]:
        for n, cid in enumerate(plan_clients):
            owner = owner_of(cid)
            for g in range(2):
                yield {
                    "id": n * 2 + g + 1,
                    "plan_id": n + 1,
                    "position": g,
                    "title": ["Stabilne mieszkanie", "Podjęcie zatrudnienia"][g],
                    "created_at": now,
                    "created_by_id": users_of[owner]["social_worker"],
                }

    L.insert(Goal, goals())

    def needs() -> Iterator[dict[str, Any]]:
        pk = 0
        for n, _cid in enumerate(plan_clients):
            for area in AREAS[:4]:
                pk += 1
                yield {
                    "id": pk,
                    "plan_id": n + 1,
                    "area": area,
                    "level": ["none", "moderate", "moderate", "none"][(n + pk) % 4],
                    "note": "Ocena z wywiadu środowiskowego.",
                }

    L.insert(NeedAssessment, needs())
    step(f"{len(plan_clients)} plans")

    statuses = ["done", "done", "in_progress", "planned", "dropped"]

    def steps() -> Iterator[dict[str, Any]]:
        pk = 0
        for n, cid in enumerate(plan_clients):
            owner = owner_of(cid)
            partner = partner_of(cid)
            for s in range(scale.steps_per_plan):
                pk += 1
                inst = partner if (partner and s % 3 == 2) else owner
                basic = s < scale.steps_per_plan // 2
                yield {
                    "id": pk,
                    "plan_id": n + 1,
                    "goal_id": n * 2 + (0 if basic else 1) + 1,
                    "area": AREAS[s % 7] if basic else AREAS[7 + s % 4],
                    "title": f"Krok {s + 1}: działanie w obszarze",
                    "institution_id": inst,
                    "responsible_id": users_of[inst][
                        "client_advisor" if inst == partner else "social_worker"
                    ],
                    "due_date": today + dt.timedelta(days=(pk * 7) % 400 - 200),
                    "status": statuses[(pk + n) % 5],
                    "outcome": "Zrealizowano." if statuses[(pk + n) % 5] == "done" else "",
                    "created_at": now,
                    "created_by_id": users_of[owner]["social_worker"],
                    "updated_at": now,
                }

    L.insert(Step, steps())
    step(f"{L.counts['Step']} steps")

    def changes() -> Iterator[dict[str, Any]]:
        pk = 0
        for n, cid in enumerate(plan_clients):
            owner = owner_of(cid)
            for kind in ("created", "goal_added", "step_added", "needs"):
                pk += 1
                yield {
                    "id": pk,
                    "plan_id": n + 1,
                    "at": now - dt.timedelta(days=n % 700, hours=pk % 24),
                    "kind": kind,
                    "actor_id": users_of[owner]["social_worker"],
                    "institution_id": owner,
                    "subject": "Plan",
                    "changes": [{"field": "status", "old": "", "new": "open"}],
                }

    L.insert(PlanChange, changes())
    step(f"{L.counts['PlanChange']} plan changes")

    # --- job offers, boards, publications -----------------------------------------------
    boards = []  # type: ignore[var-annotated]
    for i in insts:
        if i["kind"] in BOARD_KINDS:
            boards.append({"id": len(boards) + 1, "institution_id": i["id"], "created_at": now})
            world.board_of[i["id"]] = boards[-1]["id"]
    L.insert(Board, boards)
    pups = [i for i in insts if i["kind"] == "pup"]
    offers, pubs, offer_grants = [], [], []  # type: ignore[var-annotated]
    view_offer = Permission.objects.get(
        content_type__app_label="joboffers", codename="view_joboffer"
    )
    for n in range(scale.offers):
        pk = n + 1
        pup = pups[n % len(pups)]
        seq = n // len(pups) + 1
        age = (n * 37) % 1500  # days since the offer started
        valid_from = today - dt.timedelta(days=age)
        valid_until = valid_from + dt.timedelta(days=60)
        current = valid_until >= today
        status = (
            ("published" if n % 7 else "filled") if current else ("expired" if n % 4 else "filled")
        )
        pay = Decimal(4666 + (n % 30) * 100)
        offers.append(
            {
                "id": pk,
                "institution_id": pup["id"],
                "year": valid_from.year,
                "sequence": seq,
                "number": f"{seq}/{valid_from.year}",
                "kind": "job",
                "position": POSITIONS[n % len(POSITIONS)],
                "occupation_code": f"{932101 + n % 50}",
                "employer_name": f"Firma Handlowa {n % 300} sp. z o.o.",
                "workplace_municipality": pup["municipality"],
                "workplace_county": pup["county"],
                "contract_type": "umowa o pracę",
                "working_time": "pełny etat",
                "pay_min": pay,
                "pay_max": pay + 800,
                "duties": "Obsługa klienta, przyjmowanie towaru, prace porządkowe. " * 4,
                "requirements": "Wykształcenie zawodowe, mile widziane doświadczenie.",
                "how_to_apply": "CV na adres e-mail urzędu.",
                "valid_from": valid_from,
                "valid_until": valid_until,
                "contact_phone": "41 123 45 67",
                "contact_email": f"{pup['short_name']}@example.pl",
                "source": "manual",
                "status": status,
                "published_at": now - dt.timedelta(days=age),
                "filled_at": now - dt.timedelta(days=age % 6) if status == "filled" else None,
                "closed_at": now - dt.timedelta(days=max(age - 60, 0))
                if status == "expired"
                else None,
                "created_by_id": users_of[pup["id"]]["client_advisor"],
                "created_at": now - dt.timedelta(days=age),
                "updated_at": now,
            }
        )
        for kind in BOARD_KINDS:
            board_inst = kind_in_county[(pup["county"], kind)]
            board = world.board_of[board_inst]
            on_board = status == "published" or (status == "filled" and current)
            pubs.append(
                {
                    "id": len(pubs) + 1,
                    "offer_id": pk,
                    "board_id": board,
                    "published_at": now - dt.timedelta(days=age),
                    "published_by_id": users_of[pup["id"]]["client_advisor"],
                    "ended_at": None if on_board else now - dt.timedelta(days=max(age - 60, 0)),
                    "end_reason": "" if on_board else "Oferta wygasła.",
                }
            )
            if on_board:
                offer_grants.append(
                    {
                        "id": len(offer_grants) + 1,
                        "group_id": board_inst,
                        "permission_id": view_offer.pk,
                        "content_object_id": pk,
                    }
                )
                world.offers_on_board.setdefault(board, []).append(pk)
    L.insert(JobOffer, offers)
    L.insert(Publication, pubs)
    L.insert(JobOfferGroupObjectPermission, offer_grants)
    step(f"{len(offers)} offers, {len(pubs)} publications")

    # --- events -------------------------------------------------------------------------
    events, links, occs, invitees = [], [], [], []  # type: ignore[var-annotated]
    for n in range(scale.events):
        pk = n + 1
        org = insts[n % len(insts)]
        county_insts = by_county[org["county"]]
        start = now.replace(minute=0, second=0, microsecond=0) + dt.timedelta(  # type: ignore[assignment]
            days=(n * 11) % 365 - 182, hours=(n % 8) - 4
        )
        kind = ["meeting", "training", "case_conference", "info_session"][n % 4]
        events.append(
            {
                "id": pk,
                "kind": kind,
                "title": f"Spotkanie zespołu {n}",
                "organiser_id": org["id"],
                "created_by_id": users_of[org["id"]]["coordinator"],
                "starts_at": start,
                "ends_at": start + dt.timedelta(hours=2),  # type: ignore[operator]
                "location": "sala 12",
                "agenda": "1. Otwarcie. 2. Sprawy bieżące.",
                "created_at": now,
                "updated_at": now,
            }
        )
        invited = [org] + [i for i in county_insts if i["id"] != org["id"]][: 1 + n % 3]
        for i in invited:
            links.append(
                {
                    "id": len(links) + 1,
                    "event_id": pk,
                    "institution_id": i["id"],
                    "is_organiser": i["id"] == org["id"],
                }
            )
            invitees.append(
                {
                    "id": len(invitees) + 1,
                    "event_id": pk,
                    "user_id": users_of[i["id"]]["coordinator"],
                    "institution_id": i["id"],
                    "response": "accepted" if i is org else "pending",
                    "invited_by_id": users_of[org["id"]]["coordinator"],
                    "invited_at": now,
                }
            )
        occs.append(
            {
                "id": pk,
                "event_id": pk,
                "original_start": start,
                "starts_at": start,
                "ends_at": start + dt.timedelta(hours=2),  # type: ignore[operator]
            }
        )
    L.insert(Event, events)
    L.insert(EventInstitution, links)
    L.insert(Occurrence, occs)
    L.insert(Invitee, invitees)
    step(f"{len(events)} events")

    _indicator_history(L, people, insts, kind_in_county, users_of, n_consents, occs, invitees, step)

    # --- audit log: years of history ----------------------------------------------------
    from django.contrib.contenttypes.models import ContentType

    ct_client = ContentType.objects.get_for_model(Client).pk
    actions = ["view", "view", "view", "list", "update", "export"]
    n_users = len(users)
    # One row every 150 s (4.75 years at full scale), closer at larger scales: six years.
    every = min(150.0, 6 * 365 * 86400 / max(scale.audit, 1))
    if L.pg:
        # Generated by the database: 20,000,000 rows through Python would take minutes.
        batch = 2_000_000
        for first in range(0, scale.audit, batch):
            L.insert_select(
                AuditEvent,
                f"INSERT INTO {qn(AuditEvent._meta.db_table)} "  # noqa: S608
                "(id, at, actor_id, institution_id, action, content_type_id, object_id, "
                "object_label, fields, reason, ip) "
                "SELECT g + 1, %(now)s - make_interval(secs => (%(n)s - g) * %(every)s), "
                "mod(g * 7, %(users)s) + 1, mod(g * 7, %(users)s) / %(roles)s + 1, "
                "(%(actions)s::varchar[])[mod(g, %(n_actions)s) + 1], %(ct)s, "
                "(mod(g * 13, %(clients)s) + 1)::text, "
                "'Klient #' || (mod(g * 13, %(clients)s) + 1), "
                "'[\"pesel\", \"contact\"]'::jsonb, '', NULL "
                "FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g",
                {
                    "now": now,
                    "n": scale.audit,
                    "every": every,
                    "users": n_users,
                    "roles": len(ROLES),
                    "actions": actions,
                    "n_actions": len(actions),
                    "ct": ct_client,
                    "clients": n_clients,
                    "first": first,
                    "last": min(first + batch, scale.audit) - 1,
                },
            )
            if first + batch < scale.audit:
                step(f"{L.counts['AuditEvent']} audit rows")
    else:

        def audits() -> Iterator[dict[str, Any]]:
            for n in range(scale.audit):
                uid = (n * 7) % n_users + 1
                cid = (n * 13) % n_clients + 1
                yield {
                    "id": n + 1,
                    "at": now - dt.timedelta(seconds=(scale.audit - n) * every),
                    "actor_id": uid,
                    "institution_id": members[uid - 1]["institution_id"],
                    "action": actions[n % len(actions)],
                    "content_type_id": ct_client,
                    "object_id": str(cid),
                    "object_label": f"Klient #{cid}",
                    "fields": ["pesel", "contact"],
                    "reason": "",
                }

        L.insert(AuditEvent, audits())
    step(f"{L.counts['AuditEvent']} audit rows")

    # --- notices: one person with 10,000 (the notification centre's list) ---------------
    # The OPS coordinator's annual-report reminders about each agreement of the OPS,
    # and the PUP's weekly overdue counts; a tenth unread.
    coordinator = users_of[big]["coordinator"]
    own_agreements = sorted({p["agreement_id"] for p in parties if p["institution_id"] == big})
    ct_agreement = ContentType.objects.get_for_model(Agreement).pk
    ct_institution = ContentType.objects.get_for_model(Institution).pk

    def notices() -> Iterator[dict[str, Any]]:
        for n in range(NOTICES):
            about_agreement = bool(own_agreements) and n % 3 != 0
            created = now - dt.timedelta(minutes=37 * (NOTICES - n))
            yield {
                "id": n + 1,
                "recipient_id": coordinator,
                "kind": "indicators.report_due" if about_agreement else "promotion.overdue",
                "event_id": f"bench{n}",
                "target_type_id": ct_agreement if about_agreement else ct_institution,
                "target_id": own_agreements[n % len(own_agreements)] if about_agreement else big,
                "institution_id": None,
                "text": f"Powiadomienie testowe nr {n}",
                "created_at": created,
                "read_at": None if n % 10 == 0 else created,
                "in_digest": False,
                "digest_sent_at": None,
                "emailed_at": None,
            }

    L.insert(Notice, notices())
    step(f"{L.counts['Notice']} notices of one person")
    built = L.build_indexes()
    step(f"{built} indexes built after the load ({L.index_seconds:.1f}s)")
    checked = L.verify_foreign_keys()
    step(f"{checked} foreign keys verified (no dangling key)")
    L.finish()
    step("sequences reset, ANALYZE done")
    world.counts = dict(L.counts)
    world.seconds = {k: round(v, 2) for k, v in L.seconds.items()}
    world.seconds["(indexes after the load)"] = round(L.index_seconds, 2)
    world.build_seconds = round(time.perf_counter() - started, 1)
    return world


def _indicator_history(  # noqa: PLR0913 - the build's tables, handed over as they are
    L: Loader,
    people: People,
    insts: list[dict[str, Any]],
    kind_in_county: dict[tuple[str, str], int],
    users_of: dict[int, dict[str, int]],
    consent_count: int,
    occs: list[dict[str, Any]],
    invitees: list[dict[str, Any]],
    step: Callable[[str], None],
) -> None:
    """Two years of the joint work the indicators count (issue 16): referrals to
    each county's NGO, clients proposed to its PUP, plan reviews, attendance."""
    from clients.models import Consent
    from meetings.models import Attendance
    from partners.models import Referral, ServiceOffer
    from promotion.models import Programme, PromotionCase
    from reintegration.models import Review

    now, today = L.now, timezone.localdate()
    inst_by_id = {i["id"]: i for i in insts}
    services: list[dict[str, Any]] = []
    for i in insts:
        if i["kind"] in ("ngo", "pes"):
            services.append(
                {
                    "id": len(services) + 1,
                    "provider_id": i["id"],
                    "name": "Poradnictwo i aktywizacja",
                    "category": "debt_advice",
                    "county_wide": True,
                    "is_active": True,
                    "updated_at": now,
                }
            )
    L.insert(ServiceOffer, services)
    service_of = {s["provider_id"]: s["id"] for s in services}

    # The active clients of social assistance (OPS, PCPR): the first tenth of all
    # clients are referred, the last twentieth proposed to the PUP. Streamed, in
    # two passes each (two tables), as the clients are.
    def social(*, reverse: bool = False) -> Iterator[int]:
        ids = reversed(people.ids()) if reverse else people.ids()
        for pk in ids:
            owner = people.owner(pk)
            if inst_by_id[owner]["kind"] in ("ops", "pcpr") and not people.closed(pk):
                yield pk

    statuses = ["sent", "accepted", "declined", "in_progress", "completed", "completed"]
    outcomes = ["achieved", "partly", "not_achieved", "dropped_out"]

    def referral_pairs() -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        for n, pk in enumerate(itertools.islice(social(), people.count // 10)):
            row = people.row(pk)
            county = inst_by_id[row["owner_id"]]["county"]
            partner = kind_in_county[(county, "ngo")]
            sent = now - dt.timedelta(days=(n * 7) % 730, hours=n % 9)
            status = statuses[n % 6]
            answered = sent + dt.timedelta(hours=n % 96 + 1) if status != "sent" else None
            consent = {
                "id": consent_count + n + 1,
                "client_id": row["id"],
                "partner_id": partner,
                "basis": "consent",
                "scopes": ["referrals"],
                "given_on": sent.date(),
                "valid_until": sent.date() + dt.timedelta(days=730),
                "recorded_by_id": users_of[row["owner_id"]]["social_worker"],
                "recorded_at": now,
            }
            done = status == "completed"
            referral = {
                "id": n + 1,
                "client_id": row["id"],
                "referrer_id": row["owner_id"],
                "partner_id": partner,
                "service_id": service_of[partner],
                "consent_id": consent_count + n + 1,
                "created_by_id": users_of[row["owner_id"]]["social_worker"],
                "first_name": row["first_name"],
                "last_name": row["last_name"],
                "shared_fields": ["first_name", "last_name"],
                "status": status,
                "sent_at": sent,
                "respond_by": (sent + dt.timedelta(days=2)).date(),
                "answered_at": answered,
                "decline_reason": "Brak miejsc." if status == "declined" else "",
                "outcome": outcomes[n % 4] if done else "",
                "completed_on": (sent + dt.timedelta(days=40)).date() if done else None,
                "created_at": sent,
                "updated_at": now,
            }
            yield consent, referral

    L.insert(Consent, (consent for consent, _referral in referral_pairs()))
    L.insert(Referral, (referral for _consent, referral in referral_pairs()))

    case_outcomes = ["internship", "job", "training", "refused"]

    def case_pairs() -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        last = list(itertools.islice(social(reverse=True), people.count // 20))[::-1]
        for n, pk in enumerate(last):
            row = people.row(pk)
            county = inst_by_id[row["owner_id"]]["county"]
            office = kind_in_county[(county, "pup")]
            proposed = now - dt.timedelta(days=(n * 5) % 730, hours=n % 7)
            status = ["proposed", "taken", "closed", "closed", "withdrawn"][n % 5]
            taken = (
                proposed + dt.timedelta(days=n % 30, hours=3)
                if status in ("taken", "closed")
                else None
            )
            worker = users_of[row["owner_id"]]["social_worker"]
            programme = {
                "id": n + 1,
                "client_id": row["id"],
                "kind": "social_contract",
                "institution_name": inst_by_id[row["owner_id"]]["name"],
                "started_on": proposed.date() - dt.timedelta(days=180),
                "ended_on": proposed.date(),
                "outcome": "completed",
                "recorded_in_id": row["owner_id"],
                "recorded_by_id": worker,
            }
            closed = status == "closed"
            case = {
                "id": n + 1,
                "client_id": row["id"],
                "programme_id": n + 1,
                "proposer_id": row["owner_id"],
                "target_id": office,
                "proposed_by_id": worker,
                "proposed_at": proposed,
                "first_name": row["first_name"],
                "last_name": row["last_name"],
                "skills": "Prace porządkowe.",
                "availability": "Od zaraz.",
                "preferred_work": "Magazyn.",
                "status": status,
                "assigned_to_id": users_of[office]["client_advisor"] if taken else None,
                "taken_at": taken,
                "last_activity_at": taken or proposed,
                "closed_at": taken + dt.timedelta(days=20) if closed and taken else None,
                "outcome": case_outcomes[n % 4] if closed else "",
            }
            yield programme, case

    L.insert(Programme, (programme for programme, _case in case_pairs()))
    L.insert(PromotionCase, (case for _programme, case in case_pairs()))

    plan_rows = L.counts.get("ReintegrationPlan", 0)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.id, c.owner_id FROM reintegration_reintegrationplan p "
            "JOIN clients_client c ON c.id = p.client_id"
        )
        owner_of_plan = dict(cursor.fetchall())

    def reviews() -> Iterator[dict[str, Any]]:
        pk = 0
        for plan, owner in sorted(owner_of_plan.items()):
            for r in range(1 + plan % 2):
                pk += 1
                held = today - dt.timedelta(days=(plan * 3 + r * 90) % 700)
                yield {
                    "id": pk,
                    "plan_id": plan,
                    "held_on": held,
                    "due_on": held + dt.timedelta(days=plan % 21 - 10) if plan % 7 else None,
                    "progress": "Postępy zgodnie z planem.",
                    "institution_id": owner,
                    "recorded_by_id": users_of[owner]["social_worker"],
                    "recorded_at": now,
                }

    L.insert(Review, reviews())

    starts = {o["event_id"]: o["starts_at"] for o in occs}

    def attendance() -> Iterator[dict[str, Any]]:
        for n, inv in enumerate(invitees):
            if starts[inv["event_id"]] > now:
                continue
            yield {
                "id": n + 1,
                "occurrence_id": inv["event_id"],  # one occurrence per event, same id
                "user_id": inv["user_id"],
                "institution_id": inv["institution_id"],
                "present": n % 5 != 4,
                "recorded_by_id": inv["invited_by_id"],
                "recorded_at": now,
            }

    L.insert(Attendance, attendance())
    step(
        f"{L.counts['Referral']} referrals, {L.counts['PromotionCase']} promotion cases, "
        f"{L.counts['Review']} reviews ({plan_rows} plans), {L.counts['Attendance']} attendances"
    )
