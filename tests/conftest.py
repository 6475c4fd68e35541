"""The standing cast of every test: three institutions and their people.

`--now=2028-02-29T10:00` (or env `TEST_NOW`) runs the whole session with the
clock moved to that Warsaw time (time-machine, ticking), in xdist workers too:
`make test-dates` runs the date-sensitive modules so on the awkward days.

- `own` institution (MOPS) with `owner` (social worker), `colleague` (another
  worker) and `coordinator`;
- `partner`: a PUP in the same county, with `partner_user` (client advisor) —
  it sees nothing of `own` unless something is shared with it;
- `foreign`: a MOPS in another county, with `outsider` — never sees anything.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import uuid
import zoneinfo
from pathlib import Path

import pytest

from cooperation.models import Institution, InstitutionKind, Role, User

# Fixtures for browser tests, and the hooks that skip them without Chromium and say so.
from .browser import (  # noqa: F401
    browser,
    page,
    pytest_terminal_summary,
)
from .browser import pytest_collection_modifyitems as _skip_browser_tests_without_chromium
from .factories import InstitutionFactory, member


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    parser.addoption(
        "--now",
        default=None,
        help="run with the clock moved to this Europe/Warsaw time, e.g. 2028-02-29T10:00 "
        "(or env TEST_NOW); the clock keeps ticking from there",
    )
    # Travel now, while this conftest is registered: the apps' conftests and helpers
    # imported next compute module-level dates (TODAY = timezone.localdate()), so
    # pytest_configure would be too late. The options are not parsed yet, hence
    # the look at the command line; xdist workers get the value through TEST_NOW.
    config = pluginmanager.get_plugin("pytestconfig")
    args = list(config.invocation_params.args) if config else []
    value = os.environ.get("TEST_NOW") or None
    for i, arg in enumerate(args):
        if arg.startswith("--now="):
            value = arg.split("=", 1)[1]
        elif arg == "--now" and i + 1 < len(args):
            value = args[i + 1]
    if value:
        _travel(value)


def shifted_now(value: str) -> dt.datetime:
    """A `--now` value as an aware UTC datetime; a naive value is Warsaw time."""
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zoneinfo.ZoneInfo("Europe/Warsaw"))
    # UTC, not the zone itself: time-machine would also switch the process's TZ.
    return moment.astimezone(dt.UTC)


_traveller = None


def _travel(value: str) -> None:
    global _traveller
    import time_machine

    _traveller = time_machine.travel(shifted_now(value), tick=True)
    _traveller.start()
    os.environ["TEST_NOW"] = value  # for the xdist workers, started later


def pytest_unconfigure(config: pytest.Config) -> None:
    global _traveller
    if _traveller is not None:
        _traveller.stop()
        _traveller = None


def pytest_report_header(config: pytest.Config) -> str | None:
    value = os.environ.get("TEST_NOW") if _traveller else None
    return f"clock moved to {value} Europe/Warsaw (--now / TEST_NOW)" if value else None


# The longest modules, longest first. `make test` deals whole modules to the two
# xdist workers in collection order (--dist loadfile), and the harnesses at the
# root of tests/ sort last: dealt at the end, one of them kept a worker busy for
# minutes while the other sat idle. Dealt first, the short modules fill the gaps.
LONGEST_FIRST = [
    "tests/test_fuzz.py",
    "tests/test_resubmit.py",
    "tests/test_isolation.py",
    "tests/test_isolation_writes.py",
    "tests/test_no_pesel_in_urls.py",
    "tests/test_browser.py",
    "tests/test_admin_isolation.py",
    "tests/cooperation/test_seed_demo.py",
]


def pytest_collection_modifyitems(config, items) -> None:  # type: ignore[no-untyped-def]
    _skip_browser_tests_without_chromium(config, items)
    # A stable sort: every worker collects the same order, as xdist requires.
    rank = {module: i for i, module in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))


# --- the SQLite test database, migrated once per machine -------------------------------
# Migrating an empty database takes ~20 s of CPU (Django renders the model states), and
# every pytest process paid it: both xdist workers of `make test`, then both again for
# each of the four clocks of `make test-dates`. On SQLite the first process migrates a
# template, named by a digest of the migrations, and every test database is a copy of it
# (then `migrate` finds nothing to apply, and the post-migrate steps run as usual). The
# template is built by the project's own migrations, so the data migrations and the
# audit log's append-only triggers are in it. PostgreSQL migrates as before.


def _sqlite_template() -> Path:
    import fcntl
    import hashlib
    import sqlite3
    import subprocess
    import sys
    import tempfile

    import django

    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(f"{django.__version__} {sys.version}".encode())
    for path in sorted(root.glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    template = (
        Path(tempfile.gettempdir()) / f"cooperation-template-{digest.hexdigest()[:20]}.sqlite3"
    )
    if template.exists():
        return template
    with open(f"{template}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other worker waits, then copies
        if not template.exists():
            partial = Path(f"{template}.{os.getpid()}.partial")
            env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TEST_NOW"}}
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "--no-input", "--verbosity", "0"],
                cwd=root,
                env={**env, "SQLITE_NAME": str(partial)},
                check=True,
            )
            con = sqlite3.connect(partial)  # one self-contained file, no WAL beside it
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            con.execute("PRAGMA journal_mode=DELETE")
            con.close()
            os.replace(partial, template)
    return template


@pytest.fixture(scope="session")
def django_db_keepdb(request, django_db_keepdb, django_db_modify_db_settings):  # type: ignore[no-untyped-def]
    """pytest-django keeps (reuses) the test database it is given: a copy of the template."""
    import sqlite3

    from django.conf import settings

    db = settings.DATABASES["default"]
    if (
        django_db_keepdb
        or request.config.getvalue("create_db")
        or request.config.getvalue("nomigrations")
        or os.environ.get("DATABASE_URL")
        or db["ENGINE"] != "django.db.backends.sqlite3"
    ):
        yield django_db_keepdb
        return
    name = str(db["TEST"]["NAME"])
    for suffix in ("", "-wal", "-shm"):
        Path(name + suffix).unlink(missing_ok=True)
    source = sqlite3.connect(_sqlite_template())
    target = sqlite3.connect(name)
    source.backup(target)
    target.close()
    source.close()
    yield True
    for suffix in ("", "-wal", "-shm"):
        Path(name + suffix).unlink(missing_ok=True)


# Playwright's sync API runs an event loop in the test thread; Django's ORM
# calls made by the test itself are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _fast_hashing_and_locmem_mail(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _own_cache_keys(settings) -> None:
    """Every test starts with an empty cache of its own: login rate limits,
    circuit breakers and the like never carry over from one test to the next.

    On CI the cache is one Redis database shared by the parallel workers (and it
    is Celery's broker too), so it is never flushed: each test gets a fresh key
    prefix instead, and its keys expire with their timeouts."""
    caches = copy.deepcopy(settings.CACHES)
    prefix = caches["default"].get("KEY_PREFIX", "")
    caches["default"]["KEY_PREFIX"] = f"{prefix}-test-{uuid.uuid4().hex[:12]}"
    settings.CACHES = caches
    from django.core.cache import cache

    if "LocMemCache" in caches["default"]["BACKEND"]:
        cache.clear()  # process-local memory: clearing touches no one else


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _eager_celery():
    """Tasks run in-process in tests, even when REDIS_URL is set; the one test
    that drives a real worker (test_celery_worker.py) switches this off."""
    from cooperation.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _eager_tasks_in_the_request(settings) -> None:
    """Eager tasks run where they are queued, so a test sees their effect at once;
    tests of the demo's after-the-response mode (cooperation/celery.py) turn it on."""
    settings.EAGER_TASKS_AFTER_RESPONSE = False


# The test modules whose services write shares, consents, agreements, clients.
_ACCESS_CHECKED = ("clients", "agreements", "cooperation")


@pytest.fixture(autouse=True)
def _access_table_matches_the_rules(request):  # type: ignore[no-untyped-def]
    """After each test of a module that writes shares (tests/clients, tests/agreements,
    tests/cooperation), the client access table equals the visibility recomputed from
    the rules (clients.access.access_drift: a few queries over the test's rows).

    Per test, not per module: each test's rows are rolled back when it ends, so a
    check at the module's end would find an empty database. The database fixture is
    asked for from here so that it is torn down after this check."""
    path = Path(str(request.node.fspath))
    if path.parent.name not in _ACCESS_CHECKED or path.parent.parent.name != "tests":
        yield
        return
    db_fixture = next((f for f in ("transactional_db", "db") if f in request.fixturenames), None)
    if db_fixture is None:
        yield
        return
    request.getfixturevalue(db_fixture)
    yield
    from clients.access import access_drift

    drift = access_drift()
    assert not drift, f"client access table drift after {request.node.nodeid}: {drift}"


@pytest.fixture
def demo_without_board_pdfs(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`seed_demo` without rendering this week's PDF sheets for every job board
    (CI time: WeasyPrint, a few per seeding). The sheets themselves are tested in
    tests/joboffers; the demo's are still rendered by the PESEL crawl
    (test_no_pesel_in_urls.py) and by the seeding on other days (test_seed_demo.py)."""
    monkeypatch.setattr("joboffers.demo._prints", lambda: None)


@pytest.fixture
def own(db) -> Institution:  # type: ignore[no-untyped-def]
    return InstitutionFactory(short_name="mops-test", name="MOPS Testowo", kind=InstitutionKind.OPS)


@pytest.fixture
def partner(db) -> Institution:
    return InstitutionFactory(short_name="pup-test", name="PUP Testowo", kind=InstitutionKind.PUP)


@pytest.fixture
def foreign(db) -> Institution:
    return InstitutionFactory(
        short_name="mops-obce", name="MOPS Obcowo", kind=InstitutionKind.OPS, county="ostrowiecki"
    )


@pytest.fixture
def owner(own: Institution) -> User:
    return member(own, Role.SOCIAL_WORKER, username="owner")


@pytest.fixture
def colleague(own: Institution) -> User:
    return member(own, Role.SOCIAL_WORKER, username="colleague")


@pytest.fixture
def coordinator(own: Institution) -> User:
    return member(own, Role.COORDINATOR, username="coordinator")


@pytest.fixture
def partner_user(partner: Institution) -> User:
    return member(partner, Role.CLIENT_ADVISOR, username="partner")


@pytest.fixture
def outsider(foreign: Institution) -> User:
    return member(foreign, Role.COORDINATOR, username="outsider")


@pytest.fixture
def admin_user(admin_user: User) -> User:
    """pytest-django's superuser, with the authenticator app superusers must have."""
    from .factories import enrol_totp

    enrol_totp(admin_user)
    return admin_user
