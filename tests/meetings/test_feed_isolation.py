"""A calendar feed token opens its holder's meetings, and never another
institution's: not for a person invited by name there who has since moved to
another institution, not for another county's events on the same dates.

(test_ical.py covers the token itself — wrong, revoked, replaced, ended
membership — and the isolation harness covers the .ics of one event.)
"""

from __future__ import annotations

import icalendar
from django.urls import reverse

from cooperation.models import Role
from cooperation.services import membership_create
from meetings import services

from ..factories import member
from .conftest import in_days, schedule


def _titles(client, token: str) -> set[str]:
    response = client.get(reverse("meetings:feed", args=[token]))
    assert response.status_code == 200
    return {
        str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    }


def test_each_feed_holds_only_its_holders_institutions_meetings(
    client, own, foreign, coordinator, colleague, outsider
) -> None:
    outsiders_colleague = member(foreign, Role.SOCIAL_WORKER, username="obca-pracownica")
    schedule(coordinator, title="Spotkanie MOPS", people=[colleague], starts_at=in_days(3))
    schedule(outsider, title="Spotkanie obce", people=[outsiders_colleague], starts_at=in_days(3))
    mine = services.feed_token_create(acting_user=colleague)
    theirs = services.feed_token_create(acting_user=outsiders_colleague)
    assert _titles(client, mine) == {"Spotkanie MOPS"}
    assert _titles(client, theirs) == {"Spotkanie obce"}


def test_a_person_who_moved_loses_the_old_address_and_gets_the_new_institutions_meetings(
    client, own, foreign, coordinator, outsider
) -> None:
    person = member(foreign, Role.SOCIAL_WORKER, username="przeniesiona")
    schedule(outsider, title="Spotkanie obce", people=[person], starts_at=in_days(5))
    token = services.feed_token_create(acting_user=person)
    assert _titles(client, token) == {"Spotkanie obce"}

    membership_create(user=person, institution=own, role=Role.SOCIAL_WORKER)
    schedule(coordinator, title="Spotkanie MOPS", people=[person], starts_at=in_days(5))
    # The old address ends with the move; a new one follows the new institution
    # (the invitation by name to the old institution's meeting stays on record).
    assert client.get(reverse("meetings:feed", args=[token])).status_code == 404
    assert _titles(client, services.feed_token_create(acting_user=person)) == {"Spotkanie MOPS"}


def test_an_event_file_of_another_county_is_not_found_with_a_feed_or_a_login(
    client, own, foreign, coordinator, outsider
) -> None:
    event = schedule(outsider, title="Spotkanie obce", starts_at=in_days(2))
    token = services.feed_token_create(acting_user=coordinator)
    client.force_login(coordinator)
    assert client.get(reverse("meetings:event_ics", args=[event.pk])).status_code == 404
    assert "Spotkanie obce" not in _titles(client, token)
