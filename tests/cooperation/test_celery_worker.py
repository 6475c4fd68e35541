"""A real Celery worker (a separate process) on Redis and PostgreSQL picks up
a task queued by a service and does its work: the invitation e-mail.

Needs DATABASE_URL (PostgreSQL) and REDIS_URL; skipped without them, and
failed instead of skipped when REQUIRE_SERVICES=1 (as .ci/run sets it)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from cooperation.celery import app
from cooperation.models import Role
from cooperation.services import member_invite

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def _database_url() -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = f"{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
    return f"postgres://{user}{password}@{host}/{db['NAME']}"


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[Path]:
    if (
        not settings.REDIS_URL
        or settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql"
    ):
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(
                "REQUIRE_SERVICES=1 but DATABASE_URL/REDIS_URL do not point at PostgreSQL/Redis"
            )
        pytest.skip("needs PostgreSQL and Redis: set DATABASE_URL and REDIS_URL")
    queue = f"test-{uuid.uuid4().hex[:8]}"  # our own queue: no stray worker can take the task
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path),
        "DJANGO_ALLOW_ASYNC_UNSAFE": "",
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
        env=env,
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


def test_a_real_worker_sends_the_invitation(worker: Path, own, coordinator) -> None:  # type: ignore[no-untyped-def]
    member_invite(
        institution=own,
        acting_user=coordinator,
        email="nowa@example.pl",
        first_name="Nowa",
        last_name="Osoba",
        role=Role.SOCIAL_WORKER,
    )
    deadline = time.monotonic() + 60
    sent: list[Path] = []
    while time.monotonic() < deadline and not sent:
        sent = list(worker.glob("*.log"))
        sent = [p for p in sent if p.name != "worker.log"]
        time.sleep(0.5)
    assert sent, (
        "the worker did not send the e-mail; its log:\n" + (worker / "worker.log").read_text()
    )
    body = sent[0].read_text()
    assert "nowa@example.pl" in body
    assert "/accounts/password/reset/key/" in body
