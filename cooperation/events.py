"""Domain events: what happened, told once, after the change is committed.

A writing service says what it did with `emit()`; whoever cares listens through the
`events` hook (see `cooperation.hooks`), so the service imports no listener:

    from cooperation import events

    events.emit("promotion.proposed", target=case, actor=member.user,
                institution=member.institution)

The event is handed to the listeners only when the surrounding transaction commits
(`transaction.on_commit`); a rolled-back change tells nobody. Each event carries a
unique `id`, so a listener that runs twice (a Celery retry) can do its work once. A
job that may raise the same event again (a daily pass catching up on the days it did
not run) passes `key=` (e.g. the due date): the id is then derived from the kind, the
target and the key, so the second raising is the same event and tells nobody twice.
`data` holds only ids, codes and dates — never a name, PESEL or address: events
travel through the task queue. The notification centre (`notifications` app) is the
main listener: its `notifications/kinds.py` declares every kind, who is told and how.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from . import hooks


@dataclass(frozen=True)
class Event:
    kind: str  # "<app>.<what happened>", e.g. "referrals.accepted"
    target_model: str  # "app_label.modelname" of the object the event is about
    target_id: int
    actor_id: int | None = None  # the user who did it (None: the system, a job)
    institution_id: int | None = None  # the institution that acted
    data: dict[str, Any] = field(default_factory=dict)  # ids, codes, dates only
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    at: str = field(default_factory=lambda: timezone.now().isoformat())

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe, for a Celery task's arguments."""
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Event:
        return cls(**values)

    def target(self) -> models.Model | None:
        """The object, or None if it is gone."""
        from django.apps import apps

        model = apps.get_model(self.target_model)
        return model._default_manager.filter(pk=self.target_id).first()


Listener = Callable[[Event], None]


def emit(
    kind: str,
    *,
    target: models.Model,
    actor: Any = None,
    institution: Any = None,
    key: str | None = None,
    **data: Any,
) -> Event:
    """Record that `kind` happened to `target`; listeners hear it after commit. With
    `key`, the event's id is `event_id(kind, target, key)`: the same every time."""
    event = Event(
        kind=kind,
        target_model=target._meta.label_lower,
        target_id=int(target.pk),
        actor_id=getattr(actor, "pk", None),
        institution_id=getattr(institution, "pk", institution),
        data=data,
        **({"id": event_id(kind, target, key)} if key is not None else {}),
    )
    transaction.on_commit(lambda: _deliver(event))
    return event


def event_id(kind: str, target: models.Model, key: str) -> str:
    """The id of the event `kind` about `target` told once per `key` (32 hex digits,
    like a random id): derived, so raising it again gives the same id."""
    name = f"cooperation.event:{kind}:{target._meta.label_lower}:{target.pk}:{key}"
    return uuid.uuid5(uuid.NAMESPACE_URL, name).hex


def _deliver(event: Event) -> None:
    for listener in hooks.get_hooks("events"):
        listener(event)
