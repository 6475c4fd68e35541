"""A real Celery worker (a separate process) on Redis and PostgreSQL picks up
a task queued by a service and does its work: the invitation e-mail.

Needs DATABASE_URL (PostgreSQL) and REDIS_URL; skipped without them, and
failed instead of skipped when REQUIRE_SERVICES=1 (as .ci/run sets it)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cooperation.models import Role
from cooperation.services import member_invite

from ..celery_worker import real_worker, worker_log

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[Path]:
    env = {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path),
    }
    with real_worker(tmp_path, env=env) as path:
        yield path


def test_a_real_worker_sends_the_invitation(worker: Path, own, coordinator) -> None:
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
    assert sent, "the worker did not send the e-mail; its log:\n" + worker_log(worker)
    body = sent[0].read_text()
    assert "nowa@example.pl" in body
    assert "/accounts/password/reset/key/" in body
