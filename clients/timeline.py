"""The client's timeline: one list of dated entries that every app contributes to.

An app registers a source in its `hooks.py`:

    @hooks.register("client_timeline")
    def my_entries(client, user) -> Iterable[TimelineEntry]: ...

A source is called only for a client the user may already see, and must
itself return only what the user may see (e.g. a case conference's details
only to its participants). Keep each source to a constant number of queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cooperation import hooks

if TYPE_CHECKING:
    from cooperation.models import User

    from .models import Client


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    kind: str  # short label, e.g. "Konferencja przypadku"
    title: str
    detail: str = ""
    url: str = ""
    institution: str = ""


TimelineSource = Callable[["Client", "User"], Iterable[TimelineEntry]]


def timeline_for(client: Client, user: User, *, limit: int = 100) -> list[TimelineEntry]:
    """All entries for a client, newest first."""
    sources: list[TimelineSource] = hooks.get_hooks("client_timeline")
    entries = [entry for source in sources for entry in source(client, user)]
    return sorted(entries, key=lambda e: e.at, reverse=True)[:limit]
