"""Every notice the fan-out writes goes to someone its kind declares it can reach (the
audience the preferences page offers): an audience declared too narrow would hide
from a person a kind that does reach them. Checked in every test of the
notifications and messaging suites that fans an event out."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _notices_reach_only_their_audience(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from cooperation.permissions import membership_of
    from notifications import services
    from notifications.kinds import KINDS
    from notifications.models import Notice

    fan_out = services.notices_fan_out

    def checked(*, event: Any) -> list[int]:
        result = fan_out(event=event)
        kind = KINDS.get(event.kind)
        for notice in Notice.objects.filter(event_id=event.id).select_related("recipient"):
            membership = membership_of(notice.recipient)
            assert kind is not None and kind.reaches(membership), (
                f"{event.kind} reached {membership and membership.role} of "
                f"{membership and membership.institution.kind}, outside its declared audience"
            )
        return result

    monkeypatch.setattr(services, "notices_fan_out", checked)
