"""Two POSTs at the same moment: no error page, no duplicate, on both databases.

On SQLite two writers used to meet "database is locked" (HTTP 500): a DEFERRED
transaction that has read cannot take the write lock another one holds, and
SQLite gives up at once instead of waiting. settings.py begins every
transaction IMMEDIATE (the second writer waits, up to `timeout`) and uses WAL.
The requests run in real threads, each with its own connection, against a
database on disk — an in-memory test database has no such locking, so the test
first makes sure it is not one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clients.models import CaseNote
from cooperation.models import User

from ..factories import ClientFactory

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 3


def _at_once(posts: list[Callable[[], object]]) -> list[object]:
    """Run the calls in threads released together; their results in order."""
    barrier = threading.Barrier(len(posts))
    results: list[object] = [None] * len(posts)

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = posts[i]()
        except Exception as exc:  # a 500 raised in the test client
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(posts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def _logged_in(user: User) -> Client:
    client = Client(raise_request_exception=True)
    client.force_login(user)
    return client


def test_the_test_database_is_one_that_can_lock() -> None:
    if connection.vendor == "sqlite":
        assert not connection.is_in_memory_db(), "set DATABASES TEST NAME to a file"
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
        assert connection.transaction_mode == "IMMEDIATE"


def test_people_writing_at_the_same_moment_all_succeed(own, owner, colleague, coordinator) -> None:
    client = ClientFactory(owner=own, created_by=owner)
    url = reverse("clients:note_add", args=[client.pk])
    people = [_logged_in(u) for u in (owner, colleague, coordinator, owner)]
    for round_ in range(ROUNDS):
        posts = [
            (lambda c=c, i=i, r=round_: c.post(url, {
                "happened_on": timezone.localdate().isoformat(),
                "text": f"Notatka {r}-{i}",
            }))
            for i, c in enumerate(people)
        ]  # fmt: skip
        results = _at_once(posts)
        assert [getattr(r, "status_code", r) for r in results] == [302] * len(people)
    assert CaseNote.objects.filter(client=client).count() == ROUNDS * len(people)


def test_the_same_post_twice_at_the_same_moment_saves_once(own, owner) -> None:
    client = ClientFactory(owner=own, created_by=owner)
    url = reverse("clients:note_add", args=[client.pk])
    tabs = [_logged_in(owner), _logged_in(owner)]  # a double click, or two tabs
    for round_ in range(ROUNDS):
        body = {
            "happened_on": timezone.localdate().isoformat(),
            "text": f"Notatka {round_}",
            "form_token": f"token-{round_}",
        }
        results = _at_once([lambda c=c, b=body: c.post(url, b) for c in tabs])
        assert [getattr(r, "status_code", r) for r in results] == [302, 302]
        assert results[0]["Location"] == results[1]["Location"]  # type: ignore[index]
        assert CaseNote.objects.filter(client=client, text=body["text"]).count() == 1


def test_registering_clients_at_the_same_moment(own, owner, colleague) -> None:
    from cooperation.validators import make_pesel

    url = reverse("clients:register")
    people = [_logged_in(owner), _logged_in(colleague)]
    birth = timezone.localdate().replace(year=1980, month=5, day=17)

    def body(i: int) -> dict[str, str]:
        return {
            "pesel": make_pesel(birth, 100 + i, female=bool(i % 2)),
            "first_name": "Anna",
            "last_name": f"Równoczesna{i}",
        }

    results = _at_once([lambda c=c, i=i: c.post(url, body(i)) for i, c in enumerate(people)])
    statuses = [getattr(r, "status_code", r) for r in results]
    assert statuses == [302, 302], statuses
    assert own.clients.filter(last_name__startswith="Równoczesna").count() == 2
