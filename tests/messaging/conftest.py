"""The messaging cast, on top of the standing one (`own` MOPS with `owner`,
`partner` PUP, `foreign` MOPS of another county with `outsider`):

- `person`: a client of `own` registered by `owner`, shared with `partner` (an
  agreement in force covering client records, and a consent);
- `advisor`: a client advisor of `partner` who works with `person`;
- `collector`: the events emitted after commit (`collector.events`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from agreements.models import Scope
from clients.models import Client, ClientShare
from clients.services import client_share, consent_record
from cooperation import hooks
from cooperation.models import Institution, Role, User

from ..factories import ClientFactory, agreement_between, member
from ..notifications.audience import _notices_reach_only_their_audience  # noqa: F401

TODAY = timezone.localdate()


def share(client: Client, worker: User, partner: Institution) -> ClientShare:
    consent = consent_record(
        client=client,
        acting_user=worker,
        partner=partner,
        basis="statutory",
        scopes=[Scope.CLIENT_RECORDS],
        given_on=TODAY - dt.timedelta(days=1),
    )
    return client_share(client=client, partner=partner, consent=consent, acting_user=worker)


@pytest.fixture
def covered(own: Institution, partner: Institution) -> Any:
    return agreement_between(own, partner, [Scope.CLIENT_RECORDS])


@pytest.fixture
def person(own: Institution, owner: User, partner: Institution, covered: Any) -> Client:
    client = ClientFactory(owner=own, created_by=owner, first_name="Halina", last_name="Wątkowa")
    share(client, owner, partner)
    return client


@pytest.fixture
def advisor(partner: Institution) -> User:
    return member(partner, Role.CLIENT_ADVISOR, username="advisor", first_name="Piotr")


class Collector:
    def __init__(self) -> None:
        self.events: list[Any] = []

    def __call__(self, event: Any) -> None:
        self.events.append(event)

    def kinds(self) -> list[str]:
        return [e.kind for e in self.events]

    def of(self, kind: str) -> list[Any]:
        return [e for e in self.events if e.kind == kind]


@pytest.fixture
def collector() -> Any:
    found = Collector()
    with hooks.register_temporarily("events", found):
        yield found
