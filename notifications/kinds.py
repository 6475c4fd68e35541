"""Every kind of notice in one place: who is told, in what words, where the notice
leads, and whether the person may still open it.

A service emits an event (`cooperation.events.emit("referrals.accepted", target=...)`);
the notification centre looks its kind up here, asks `recipients` who is told, and
writes one notice per person (once per event id), sending e-mail as each person chose.

Rules for a declaration:
- `recipients(event, target)` returns users of the side that did NOT act — the people
  responsible on the other side (the actor is never told of their own action);
- `text(event, target)` is the notice line shown in the app to someone who may see the
  target; `email_subject` is what an e-mail says: only the kind of thing that
  happened, never a name, PESEL, address or need;
- `url(event, target)` is the page the notice opens; `may_see(user, target)` is asked
  when the notice is listed, opened or put in a digest: access can end after the event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from cooperation.events import Event


@dataclass(frozen=True)
class Kind:
    name: str  # the event's kind, "<app>.<what happened>"
    group: str  # a heading on the preferences page, e.g. "Promocja"
    label: str  # what a person chooses on the preferences page
    email_subject: str  # no personal data
    recipients: Callable[[Event, Any], Iterable[Any]]
    text: Callable[[Event, Any], str]
    url: Callable[[Event, Any], str]
    may_see: Callable[[Any, Any], bool]


KINDS: dict[str, Kind] = {}


def declare(kind: Kind) -> Kind:
    if kind.name in KINDS:
        raise ValueError(f"notice kind {kind.name!r} declared twice")
    KINDS[kind.name] = kind
    return kind
