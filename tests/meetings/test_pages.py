"""The meetings pages: month and agenda with filters, the forms and their
validation, the event page's buttons, reminders, and query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cooperation.models import Role
from meetings import services
from meetings.models import ActionItem, Attendance, Event, Invitee, Response, Room
from notifications.kinds import ATTACHMENTS

from ..factories import ClientFactory, member
from ..lazy import get_loaded
from ..notifications.kindcheck import collecting, the_one, told, words
from .conftest import at, in_days, schedule

TODAY = timezone.localdate()


def _form(**overrides: object) -> dict[str, object]:
    start = in_days(7)
    data: dict[str, object] = {
        "kind": "meeting",
        "title": "Spotkanie zespołu",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "repeat": "",
        "form_token": "t-1",
    }
    data.update(overrides)
    return data


def test_a_coordinator_schedules_through_the_form(
    client, coordinator, partner, agreement, partner_advisor
) -> None:
    client.force_login(coordinator)
    assert client.get(reverse("meetings:create")).status_code == 200
    response = client.post(
        reverse("meetings:create"),
        _form(
            institutions=[partner.pk],
            people=[partner_advisor.pk],
            repeat="monthly_weekday",
            repeat_count=6,
        ),
    )
    event = Event.objects.get()
    assert response.status_code == 302
    assert (
        response["Location"] == event.occurrences.order_by("starts_at").first().get_absolute_url()
    )
    assert event.rrule.endswith(";COUNT=6") and event.occurrences.count() == 6
    assert Invitee.objects.filter(event=event, user=partner_advisor).exists()
    # A double click creates nothing more.
    client.post(reverse("meetings:create"), _form())
    assert Event.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ends_at": in_days(7, 9).strftime("%Y-%m-%dT%H:%M")}, "ends_at"),
        (
            {
                "starts_at": in_days(-2).strftime("%Y-%m-%dT%H:%M"),
                "ends_at": in_days(-2, 12).strftime("%Y-%m-%dT%H:%M"),
            },
            "starts_at",
        ),
        (
            {"repeat": "weekly", "repeat_until": (TODAY - dt.timedelta(days=1)).isoformat()},
            "repeat_until",
        ),
        ({"repeat": "custom", "rrule": "FREQ=SECONDLY"}, "rrule"),
        ({"capacity": "5"}, "capacity"),
    ],
)
def test_form_errors_show_next_to_the_field_and_keep_the_input(
    client, coordinator, overrides, field
) -> None:
    client.force_login(coordinator)
    response = client.post(reverse("meetings:create"), _form(**overrides))
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_{field}_error"' in body
    assert 'value="Spotkanie zespołu"' in body
    assert not Event.objects.exists()


def test_an_overlapping_room_warns_and_the_box_books_it_anyway(client, own, coordinator) -> None:
    room = Room.objects.create(institution=own, name="Sala 12")
    schedule(coordinator, room=room, title="Wcześniejsza rezerwacja")
    client.force_login(coordinator)
    first = client.post(reverse("meetings:create"), _form(room=room.pk))
    body = first.content.decode()
    assert 'id="id_room_error"' in body and "Wcześniejsza rezerwacja" in body
    assert 'type="checkbox" name="confirm_overlap"' in body
    assert Event.objects.count() == 1
    second = client.post(reverse("meetings:create"), _form(room=room.pk, confirm_overlap="on"))
    assert second.status_code == 302 and Event.objects.count() == 2


def test_the_book_anyway_box_is_hidden_until_needed(client, coordinator) -> None:
    client.force_login(coordinator)
    body = client.get(reverse("meetings:create")).content.decode()
    assert 'type="checkbox" name="confirm_overlap"' not in body


def test_a_social_worker_is_offered_only_a_case_conference(client, owner) -> None:
    ClientFactory(owner=owner.memberships.get().institution, last_name="Klientowa")
    client.force_login(owner)
    body = client.get(reverse("meetings:create")).content.decode()
    assert 'value="case_conference"' in body and 'value="meeting"' not in body
    assert "Klientowa" in body


def test_partner_staff_cannot_open_the_form(client, partner) -> None:
    client.force_login(member(partner, Role.PARTNER_STAFF))
    assert client.get(reverse("meetings:create")).status_code == 403


def test_the_edit_form_reads_the_series_back(client, coordinator, partner, agreement) -> None:
    start = in_days(10)
    from meetings.recurrence import Repeat, build_rrule

    rule = build_rrule(Repeat.WEEKLY, start, count=5)
    event = schedule(
        coordinator,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        rrule=rule,
        institutions=[partner],
    )
    client.force_login(coordinator)
    body = client.get(reverse("meetings:event_edit", args=[event.pk])).content.decode()
    assert '<option value="weekly" selected>' in body
    assert 'name="repeat_count" value="5"' in body
    assert f'value="{partner.pk}"' in body and "checked" in body


def test_a_partner_accepts_through_the_event_page(
    client, coordinator, partner, agreement, partner_advisor
) -> None:
    event = schedule(coordinator, institutions=[partner], people=[partner_advisor])
    occurrence = event.occurrences.get()
    client.force_login(partner_advisor)
    page = client.get(reverse("meetings:occurrence", args=[occurrence.pk])).content.decode()
    assert 'id="answer-accepted"' in page and 'id="edit-event"' not in page
    response = client.post(
        reverse("meetings:event_respond", args=[event.pk]),
        {"response": "accepted", "occurrence": occurrence.pk},
    )
    assert response["Location"] == occurrence.get_absolute_url()
    assert Invitee.objects.get(event=event, user=partner_advisor).response == Response.ACCEPTED


def test_attendance_and_minutes_through_the_forms(
    client, coordinator, partner, agreement, partner_advisor
) -> None:
    start = at(TODAY, 0, 30)
    event = schedule(
        coordinator,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        institutions=[partner],
        people=[partner_advisor],
        allow_past=True,
    )
    occurrence = event.occurrences.get()
    client.force_login(coordinator)
    response = client.post(
        reverse("meetings:attendance", args=[occurrence.pk]), {"present": [partner_advisor.pk]}
    )
    assert response.status_code == 302
    assert Attendance.objects.get(occurrence=occurrence, user=partner_advisor).present
    data = {
        "notes": "Notatki",
        "decisions-TOTAL_FORMS": "2",
        "decisions-INITIAL_FORMS": "0",
        "decisions-0-text": "Decyzja pierwsza",
        "decisions-1-text": "",
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "0",
        "items-0-description": "Przygotować listę",
        "items-0-owner": str(partner_advisor.pk),
        "items-0-due_date": (TODAY + dt.timedelta(days=7)).isoformat(),
        "items-0-status": "open",
        "items-1-description": "",
        "items-1-owner": "",
        "items-1-due_date": "",
        "items-1-status": "open",
    }
    response = client.post(reverse("meetings:minutes", args=[occurrence.pk]), data)
    assert response.status_code == 302
    item = ActionItem.objects.get()
    assert item.owner == partner_advisor and item.description == "Przygotować listę"
    # A row without an owner is refused next to the field.
    data["items-1-description"] = "Bez właściciela"
    response = client.post(reverse("meetings:minutes", args=[occurrence.pk]), data)
    assert (
        response.status_code == 200 and 'id="id_items-1-owner_error"' in response.content.decode()
    )


def test_the_month_shows_the_dates_and_filters_by_kind_and_institution(
    client, coordinator, partner, agreement, partner_coordinator
) -> None:
    day = TODAY.replace(day=15) if TODAY.day < 15 else TODAY
    if at(day, 10) < timezone.now():
        day = TODAY + dt.timedelta(days=1)
    month = day.strftime("%Y-%m")
    schedule(
        coordinator,
        title="Spotkanie z PUP",
        starts_at=at(day, 10),
        ends_at=at(day, 11),
        institutions=[partner],
    )
    schedule(
        coordinator,
        title="Szkolenie wewnętrzne",
        kind="training",
        starts_at=at(day, 12),
        ends_at=at(day, 13),
    )
    client.force_login(coordinator)
    body = client.get(reverse("meetings:calendar"), {"month": month}).content.decode()
    assert "Spotkanie z PUP" in body and "Szkolenie wewnętrzne" in body
    body = client.get(
        reverse("meetings:calendar"), {"month": month, "kind": "training"}
    ).content.decode()
    assert "Spotkanie z PUP" not in body and "Szkolenie wewnętrzne" in body
    body = client.get(
        reverse("meetings:calendar"), {"month": month, "institution": partner.pk}
    ).content.decode()
    assert "Spotkanie z PUP" in body and "Szkolenie wewnętrzne" not in body
    client.force_login(partner_coordinator)
    body = client.get(reverse("meetings:calendar"), {"month": month}).content.decode()
    assert "Spotkanie z PUP" in body and "Szkolenie wewnętrzne" not in body


def test_the_agenda_lists_by_day_and_refuses_an_upside_down_range(client, coordinator) -> None:
    schedule(coordinator, title="Za tydzień")
    schedule(coordinator, title="Za pół roku", starts_at=in_days(180), ends_at=in_days(180, 12))
    client.force_login(coordinator)
    body = client.get(reverse("meetings:agenda")).content.decode()
    assert "Za tydzień" in body and "Za pół roku" not in body
    body = client.get(
        reverse("meetings:agenda"),
        {
            "date_from": (TODAY + dt.timedelta(days=170)).isoformat(),
            "date_to": (TODAY + dt.timedelta(days=190)).isoformat(),
        },
    ).content.decode()
    assert "Za pół roku" in body and "Za tydzień" not in body
    body = client.get(
        reverse("meetings:agenda"),
        {"date_from": TODAY.isoformat(), "date_to": (TODAY - dt.timedelta(days=3)).isoformat()},
    ).content.decode()
    assert 'id="id_date_to_error"' in body


def _fill(coordinator, partner, n: int) -> None:
    for i in range(n):
        start = in_days(1 + i % 25, 8 + i % 9)
        schedule(
            coordinator,
            title=f"Wydarzenie {i}",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
            institutions=[partner] if i % 2 else [],
            kind="training" if i % 3 else "meeting",
        )


@pytest.mark.parametrize("rows", [2, 60])
@pytest.mark.parametrize("url_name", ["meetings:calendar", "meetings:agenda"])
def test_the_calendar_pages_cost_the_same_queries_for_any_size(
    client, django_assert_max_num_queries, coordinator, partner, agreement, rows, url_name
) -> None:
    _fill(coordinator, partner, rows)
    client.force_login(coordinator)
    with django_assert_max_num_queries(12):
        response = client.get(reverse(url_name), {"institution": partner.pk})
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 15])
def test_the_event_page_costs_the_same_queries_for_any_size(
    client, django_assert_max_num_queries, coordinator, partner, agreement, rows
) -> None:
    people = [member(partner, Role.CLIENT_ADVISOR) for _ in range(rows)]
    event = schedule(
        coordinator, institutions=[partner], people=people, rrule="FREQ=WEEKLY;COUNT=10"
    )
    url = reverse("meetings:occurrence", args=[event.occurrences.first().pk])
    client.force_login(coordinator)
    with django_assert_max_num_queries(15):
        response = client.get(url)
    assert response.status_code == 200


def test_reminders_go_the_day_before_once(
    coordinator, partner, agreement, partner_coordinator, django_capture_on_commit_callbacks
) -> None:
    tomorrow = schedule(
        coordinator,
        title="Jutro",
        institutions=[partner],
        starts_at=in_days(1),
        ends_at=in_days(1, 12),
    )
    schedule(
        coordinator,
        title="Pojutrze",
        institutions=[partner],
        starts_at=in_days(2),
        ends_at=in_days(2, 12),
    )
    services.invitation_respond(
        event=tomorrow, acting_user=partner_coordinator, response=Response.DECLINED
    )
    with collecting(django_capture_on_commit_callbacks) as events:
        assert services.reminders_send() == 1
    expected = {
        i.user
        for i in Invitee.objects.filter(event=tomorrow)
        .exclude(response=Response.DECLINED)
        .select_related("user")
    }
    reminder = the_one(events, "meetings.reminder")
    assert told(reminder) == expected
    assert coordinator in expected and partner_coordinator not in expected
    assert words(reminder).startswith("Jutro: Jutro,")
    assert ATTACHMENTS[reminder.kind](reminder, tomorrow)[0].endswith(".ics")
    with collecting(django_capture_on_commit_callbacks) as events:
        assert services.reminders_send() == 0
    assert events == []


def test_the_beat_runs_the_reminders_and_the_extension(settings) -> None:
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"meetings.tasks.send_reminders", "meetings.tasks.extend_series"} <= tasks


def test_action_items_page_lists_mine_and_my_institutions(
    client, coordinator, own, partner, agreement
) -> None:
    start = at(TODAY, 0, 30)
    event = schedule(
        coordinator, starts_at=start, ends_at=start + dt.timedelta(hours=1), allow_past=True
    )
    colleague = member(own, Role.SOCIAL_WORKER, last_name="Koleżanka")
    services.minutes_save(
        occurrence=event.occurrences.get(),
        acting_user=coordinator,
        notes="",
        decisions=[],
        action_items=[
            services.ActionItemData("Moje zadanie", coordinator, TODAY),
            services.ActionItemData("Zadanie koleżanki", colleague, TODAY),
        ],
    )
    client.force_login(coordinator)
    body = client.get(reverse("meetings:action_items")).content.decode()
    assert "Moje zadanie" in body and "Zadanie koleżanki" in body


def test_the_home_page_lists_my_meetings_whoever_else_declined(
    client, coordinator, partner, agreement, partner_coordinator, partner_advisor
) -> None:
    event = schedule(
        coordinator, title="Spotkanie z PUP", institutions=[partner], people=[partner_advisor]
    )
    services.invitation_respond(
        event=event, acting_user=partner_coordinator, response=Response.DECLINED
    )
    client.force_login(partner_advisor)
    assert "Spotkanie z PUP" in get_loaded(client, reverse("home"))
    client.force_login(partner_coordinator)
    assert "Spotkanie z PUP" not in get_loaded(client, reverse("home"))


def test_the_admin_lists_rooms_and_events_read_only(client, own, coordinator) -> None:
    from cooperation.models import User

    room = Room.objects.create(institution=own, name="Sala 12")
    event = schedule(coordinator, room=room)
    from ..factories import enrol_totp

    admin = User.objects.create_superuser("root", "root@example.pl", "x")
    enrol_totp(admin)  # superusers must use two-factor authentication
    client.force_login(admin)
    assert client.get(reverse("admin:meetings_room_changelist")).status_code == 200
    assert client.get(reverse("admin:meetings_event_changelist")).status_code == 200
    page = client.get(reverse("admin:meetings_event_change", args=[event.pk]))
    assert page.status_code == 200 and 'name="title"' not in page.content.decode()


def test_files_are_added_downloaded_and_removed(
    client, coordinator, partner, agreement, partner_advisor
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from meetings.models import Material

    event = schedule(coordinator, institutions=[partner])
    client.force_login(partner_advisor)
    url = reverse("meetings:material_add", args=[event.pk])
    bad = client.post(url, {"title": "Skrypt", "file": SimpleUploadedFile("skrypt.exe", b"MZ")})
    assert 'id="id_file_error"' in bad.content.decode() and not Material.objects.exists()
    client.post(
        url,
        {"title": "Prezentacja", "file": SimpleUploadedFile("prezentacja.pdf", b"%PDF-1.4 slajdy")},
    )
    material = Material.objects.get()
    download = client.get(reverse("meetings:material", args=[material.pk]))
    assert b"".join(download.streaming_content) == b"%PDF-1.4 slajdy"
    assert 'filename="prezentacja.pdf"' in download["Content-Disposition"]
    client.force_login(member(partner, Role.CLIENT_ADVISOR))
    assert client.post(reverse("meetings:material_remove", args=[material.pk])).status_code == 403
    client.force_login(partner_advisor)
    client.post(reverse("meetings:material_remove", args=[material.pk]))
    assert not Material.objects.exists()


def test_editing_keeps_an_institution_whose_agreement_has_ended(
    client, own, coordinator, partner, partner_coordinator
) -> None:
    from agreements.services import agreement_terminate

    from ..factories import agreement_between

    agreement = agreement_between(own, partner)
    event = schedule(coordinator, institutions=[partner])
    agreement_terminate(
        agreement=agreement,
        acting_user=coordinator,
        reason="Koniec",
        notice_days=0,
        without_notice=True,
    )
    client.force_login(coordinator)
    body = client.get(reverse("meetings:event_edit", args=[event.pk])).content.decode()
    assert f'value="{partner.pk}"' in body
