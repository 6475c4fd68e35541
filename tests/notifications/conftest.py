"""The promotion world of tests/promotion (a MOPS client proposed to a PUP), and a
recorder of the events the services emit, so a test can run the fan-out again."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import TestCase

from cooperation import hooks
from cooperation.events import Event
from cooperation.models import InstitutionKind, Role

from ..factories import ClientFactory, InstitutionFactory, member
from ..promotion.conftest import (  # noqa: F401 - fixtures
    advisor,
    advisor2,
    consent,
    person,
    programme,
    promo_agreement,
    pup_coordinator,
    ready,
)
from ..promotion.helpers import propose
from .audience import _notices_reach_only_their_audience  # noqa: F401


@pytest.fixture
def events() -> Iterator[list[Event]]:
    seen: list[Event] = []
    with hooks.register_temporarily("events", seen.append):
        yield seen


@pytest.fixture
def committed():
    """Run the on-commit callbacks (the events' delivery) of the block."""
    return lambda: TestCase.captureOnCommitCallbacks(execute=True)


@pytest.fixture
def proposed(ready, owner, partner, advisor, committed):  # noqa: F811
    with committed():
        return propose(ready, owner, partner)


@pytest.fixture
def elsewhere(foreign):
    """A PUP of another county, and another PUP of the same county, with advisors."""
    other_county_pup = InstitutionFactory(kind=InstitutionKind.PUP, county=foreign.county)
    same_county_pup = InstitutionFactory(kind=InstitutionKind.PUP)
    return [
        member(other_county_pup, Role.CLIENT_ADVISOR),
        member(same_county_pup, Role.CLIENT_ADVISOR),
        member(same_county_pup, Role.COORDINATOR),
    ]


@pytest.fixture
def marked_person(own, owner):
    """A client whose names and PESEL are unique markers (the privacy tests)."""
    import datetime as dt

    from cooperation.validators import make_pesel

    return ClientFactory(
        owner=own,
        created_by=owner,
        first_name="Markerimię",
        last_name="Markernazwisko",
        pesel=make_pesel(dt.date(1977, 3, 9), 913, female=True),
        phone="699001122",
    )
