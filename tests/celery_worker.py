"""A real Celery worker (a separate process) on Redis and PostgreSQL, for the
tests that must prove a task runs outside the request, not eagerly.

Needs DATABASE_URL (PostgreSQL) and REDIS_URL; such tests are skipped without
them, and fail instead of skipping when REQUIRE_SERVICES=1 (as .ci/run sets it).

    @pytest.fixture
    def worker(tmp_path):
        with real_worker(tmp_path, env={"EMAIL_BACKEND": ...}) as log_dir:
            yield log_dir

The test must use `pytest.mark.django_db(transaction=True)`: the worker reads
what the test committed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings

from cooperation.celery import app

ROOT = Path(__file__).resolve().parents[1]


def require_services() -> None:
    """Skip (or fail under REQUIRE_SERVICES=1) unless PostgreSQL and Redis are configured."""
    if (
        not settings.REDIS_URL
        or settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql"
    ):
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(
                "REQUIRE_SERVICES=1 but DATABASE_URL/REDIS_URL do not point at PostgreSQL/Redis"
            )
        pytest.skip("needs PostgreSQL and Redis: set DATABASE_URL and REDIS_URL")


def database_url() -> str:
    """The URL of the *test* database, so the worker sees what the test wrote."""
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = f"{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
    return f"postgres://{user}{password}@{host}/{db['NAME']}"


@contextmanager
def real_worker(tmp_path: Path, *, env: dict[str, str] | None = None) -> Iterator[Path]:
    """Run a worker on its own queue while the block runs; tasks queued meanwhile go to it.

    Yields `tmp_path`, where the worker's log is `worker.log`.
    """
    require_services()
    queue = f"test-{uuid.uuid4().hex[:8]}"  # our own queue: no stray worker can take the task
    worker_env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_ALLOW_ASYNC_UNSAFE": "",
        **(env or {}),
    }
    log = (tmp_path / "worker.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "cooperation",
            "worker",
            "--pool",
            "solo",
            "-Q",
            queue,
            "-l",
            "info",
        ],
        cwd=ROOT,
        env=worker_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    previous = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager, app.conf.task_default_queue = False, queue
    try:
        yield tmp_path
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = previous
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def worker_log(tmp_path: Path) -> str:
    return (tmp_path / "worker.log").read_text()
