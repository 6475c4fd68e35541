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

import pytest

from cooperation.models import Institution, InstitutionKind, Role, User

# Fixtures for browser tests, and the hooks that skip them without Chromium and say so.
from .browser import (  # noqa: F401
    browser,
    page,
    pytest_collection_modifyitems,
    pytest_terminal_summary,
)
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


@pytest.fixture
def own(db) -> Institution:
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
