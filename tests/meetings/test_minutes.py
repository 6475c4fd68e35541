"""Attendance, minutes with decisions and action items, the owner's home page, the PDF."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from cooperation.models import Role
from meetings import services
from meetings.models import ActionItem, ActionStatus, Attendance
from meetings.services import ActionItemData

from ..factories import member
from ..lazy import get_loaded
from ..notifications.kindcheck import collecting, the_one, told, words
from ..pdfs import pdf_text, pdf_to_png
from .conftest import at, schedule

TODAY = timezone.localdate()


@pytest.fixture
def held(own, partner, agreement, coordinator, partner_advisor):
    """A meeting with PUP that took place this morning."""
    start = at(TODAY, 0, 30)
    event = schedule(
        coordinator,
        title="Spotkanie MOPS–PUP: listopad",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        institutions=[partner],
        people=[partner_advisor],
        allow_past=True,
        agenda="Przegląd wspólnych klientów",
    )
    return event.occurrences.get()


def _minutes(occurrence, user, items, **kw):
    return services.minutes_save(
        occurrence=occurrence,
        acting_user=user,
        notes=kw.get("notes", "Omówiono oferty pracy."),
        decisions=kw.get("decisions", ["Kolejne spotkanie w grudniu.", ""]),
        action_items=items,
    )


def _item(owner, days=14, **kw):
    return ActionItemData(
        description=kw.pop("description", "Przesłać zestawienie ofert pracy"),
        owner=owner,
        due_date=TODAY + dt.timedelta(days=days),
        **kw,
    )


def test_attendance_and_minutes_wait_for_the_event(coordinator) -> None:
    occurrence = schedule(coordinator).occurrences.get()
    with pytest.raises(ValidationError):
        services.attendance_record(occurrence=occurrence, acting_user=coordinator, present=[])
    with pytest.raises(ValidationError):
        _minutes(occurrence, coordinator, [])


def test_attendance_marks_the_invited_present_or_absent(
    held, coordinator, partner_advisor, outsider
) -> None:
    services.attendance_record(
        occurrence=held, acting_user=coordinator, present=[partner_advisor.pk]
    )
    marks = dict(
        Attendance.objects.filter(occurrence=held).values_list("user__username", "present")
    )
    assert marks[partner_advisor.username] is True
    assert marks[coordinator.username] is False
    with pytest.raises(ValidationError):
        services.attendance_record(occurrence=held, acting_user=coordinator, present=[outsider.pk])


def test_only_the_organiser_takes_attendance_and_writes_minutes(
    held, partner_advisor, owner
) -> None:
    for user in (partner_advisor, owner):
        with pytest.raises(PermissionDenied):
            services.attendance_record(occurrence=held, acting_user=user, present=[])
        with pytest.raises(PermissionDenied):
            _minutes(held, user, [])


def test_minutes_keep_decisions_in_order_and_action_items_with_their_institution(
    held, coordinator, partner_advisor, partner, django_capture_on_commit_callbacks
) -> None:
    with collecting(django_capture_on_commit_callbacks) as events:
        minutes = _minutes(held, coordinator, [_item(partner_advisor), _item(coordinator, days=3)])
    assert list(minutes.decisions.values_list("text", flat=True)) == [
        "Kolejne spotkanie w grudniu."
    ]
    items = list(minutes.action_items.order_by("position"))
    assert [(i.owner, i.institution) for i in items] == [
        (partner_advisor, partner),
        (coordinator, coordinator.memberships.get().institution),
    ]
    # The owner who wrote the minutes is not told of their own item.
    event = the_one(events, "meetings.action_item")
    assert event.target_id == items[0].pk and told(event) == {partner_advisor}
    assert date_format(items[0].due_date, "j E Y") in words(event)


def test_an_action_item_owner_must_take_part_and_be_due_after_the_meeting(
    held, coordinator, outsider, partner_advisor
) -> None:
    with pytest.raises(ValidationError) as exc:
        _minutes(held, coordinator, [_item(outsider)])
    assert exc.value.message_dict["action_items"] == [
        gettext("Action item %(n)s: its owner must work at an institution taking part.") % {"n": 1}
    ]
    with pytest.raises(ValidationError):
        _minutes(held, coordinator, [_item(partner_advisor, days=-3)])
    assert not ActionItem.objects.exists()


def test_rewriting_the_minutes_keeps_items_and_their_done_date(
    held, coordinator, partner_advisor
) -> None:
    minutes = _minutes(held, coordinator, [_item(partner_advisor), _item(coordinator)])
    first, second = minutes.action_items.order_by("position")
    services.action_item_set_status(
        item=first, acting_user=partner_advisor, status=ActionStatus.DONE
    )
    first.refresh_from_db()
    done_at = first.done_at
    _minutes(
        held,
        coordinator,
        [
            _item(
                partner_advisor, pk=first.pk, status=ActionStatus.DONE, description="Zmieniony opis"
            )
        ],
    )
    first.refresh_from_db()
    assert first.description == "Zmieniony opis" and first.done_at == done_at
    assert not ActionItem.objects.filter(pk=second.pk).exists()


def test_open_action_items_show_on_their_owners_home_page_until_done(
    client, held, coordinator, partner_advisor, partner_coordinator
) -> None:
    minutes = _minutes(
        held, coordinator, [_item(partner_advisor, description="Zadanie Doradczyka")]
    )
    item = minutes.action_items.get()
    client.force_login(partner_advisor)
    body = get_loaded(client, reverse("home"))
    assert "Zadanie Doradczyka" in body
    assert reverse("meetings:action_status", args=[item.pk]) in body
    client.force_login(partner_coordinator)
    assert "Zadanie Doradczyka" not in get_loaded(client, reverse("home"))
    client.force_login(partner_advisor)
    response = client.post(
        reverse("meetings:action_status", args=[item.pk]), {"status": "done", "next": "/"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert "Zadanie Doradczyka" not in get_loaded(client, reverse("home"))
    item.refresh_from_db()
    assert item.status == ActionStatus.DONE and item.done_at is not None


def test_someone_else_cannot_change_an_action_item(
    held, coordinator, partner_advisor, partner_coordinator
) -> None:
    item = _minutes(held, coordinator, [_item(partner_advisor)]).action_items.get()
    with pytest.raises(PermissionDenied):
        services.action_item_set_status(item=item, acting_user=partner_coordinator, status="done")
    services.action_item_set_status(item=item, acting_user=coordinator, status="in_progress")


@pytest.mark.parametrize("rows", [1, 20])
def test_the_home_page_costs_the_same_queries_for_any_number_of_items(
    client, django_assert_max_num_queries, held, coordinator, partner, partner_advisor, rows
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(partner_advisor)
    with CaptureQueriesContext(connection) as empty:
        client.get(reverse("home"))
    _minutes(
        held, coordinator, [_item(partner_advisor, description=f"Zadanie {n}") for n in range(rows)]
    )
    for n in range(rows):
        schedule(
            coordinator, title=f"Spotkanie {n}", institutions=[partner], people=[partner_advisor]
        )
    client.force_login(partner_advisor)
    # The other apps' sections cost what they cost; ours add one prefetch at most
    # (the meetings box is lazy: its own URL, with its own budget).
    with django_assert_max_num_queries(len(empty) + 1):
        client.get(reverse("home"))
    with django_assert_max_num_queries(5):
        client.get(reverse("home_section", args=["meetings_upcoming"]), headers={"HX-Request": "1"})
    body = get_loaded(client, reverse("home"))
    assert "Zadanie 0" in body and "Spotkanie 0" in body


def test_the_minutes_print_as_a_pdf(client, held, coordinator, partner_advisor, partner) -> None:
    services.attendance_record(
        occurrence=held, acting_user=coordinator, present=[partner_advisor.pk]
    )
    _minutes(held, coordinator, [_item(partner_advisor), _item(coordinator, days=30)])
    client.force_login(partner_advisor)
    response = client.get(reverse("meetings:minutes_pdf", args=[held.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in (
        "Spotkanie MOPS–PUP: listopad",
        "Kolejne spotkanie w grudniu.",
        "Przesłać zestawienie ofert pracy",
        partner_advisor.display_name,
        partner.name,
        "Omówiono oferty pracy.",
    ):
        assert expected in " ".join(text.split()), expected
    pdf_to_png(response.content, "meetings-minutes")


def test_no_minutes_no_pdf(client, held, coordinator) -> None:
    client.force_login(coordinator)
    assert client.get(reverse("meetings:minutes_pdf", args=[held.pk])).status_code == 404


def test_a_worker_of_the_organiser_sees_minutes_but_cannot_write_them(
    client, held, own, coordinator
) -> None:
    worker = member(own, Role.SOCIAL_WORKER)
    _minutes(held, coordinator, [])
    client.force_login(worker)
    assert client.get(reverse("meetings:occurrence", args=[held.pk])).status_code == 200
    assert client.get(reverse("meetings:minutes", args=[held.pk])).status_code == 403
