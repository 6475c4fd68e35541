"""Helpers for the tests of the notice kinds: collect the events a service emits,
ask a kind whom it tells, and check its words carry no personal data."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from cooperation import hooks
from cooperation.events import Event
from notifications.kinds import KINDS


@contextmanager
def collecting(capture: Any) -> Iterator[list[Event]]:
    """The events emitted inside the block, heard after its commit callbacks ran.
    `capture` is pytest-django's `django_capture_on_commit_callbacks` fixture."""
    events: list[Event] = []
    listener = events.append
    with hooks.register_temporarily("events", listener), capture(execute=True):
        yield events


def the_one(events: list[Event], kind: str) -> Event:
    """The single event of this kind (fails if there are none or several)."""
    found = [event for event in events if event.kind == kind]
    assert len(found) == 1, f"{kind}: {len(found)} events among {[e.kind for e in events]}"
    return found[0]


def told(event: Event) -> set[Any]:
    """The people the event's kind tells."""
    return set(KINDS[event.kind].recipients(event, event.target()))


def may_see(event: Event, user: Any) -> bool:
    user = user.__class__.objects.get(pk=user.pk)  # a fresh object: no cached membership
    return KINDS[event.kind].may_see(user, event.target())


def words(event: Event) -> str:
    """Everything a notice and its e-mail say: the in-app line and the subject."""
    kind = KINDS[event.kind]
    return f"{kind.text(event, event.target())} {kind.email_subject} {kind.label}"


def assert_no_personal_data(event: Event, *markers: str) -> None:
    said = words(event)
    for marker in markers:
        assert marker not in said, f"{event.kind} says {marker!r}: {said!r}"
