"""Information requests: asked of a partner that shares the client, answered in the
app, withdrawn; a date in the past refused in Polish next to the field; overdue
requests on both institutions' home pages."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from clients.services import client_unshare
from cooperation.models import Role
from messaging.models import InformationRequest, RequestStatus
from messaging.services import request_answer, request_send, requests_run_daily

from ..conftest import shifted_now
from ..factories import InstitutionFactory, member
from ..lazy import get_loaded

pytestmark = pytest.mark.django_db


def _ask(person, owner, partner, *, days=7, question="Czy klientka jest zarejestrowana?"):
    return request_send(
        client=person,
        acting_user=owner,
        asked=partner,
        question=question,
        purpose="Do planu pomocy",
        due_on=timezone.localdate() + dt.timedelta(days=days),
    )


def test_the_owner_asks_and_the_partner_answers_in_the_app(
    client, person, owner, advisor, partner
) -> None:
    client.force_login(owner)
    url = reverse("messaging:request_new", args=[person.pk])
    due = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    response = client.post(
        url,
        {"asked": partner.pk, "question": "Status w PUP?", "purpose": "Plan", "due_on": due},
    )
    info = InformationRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == info.get_absolute_url()
    assert (info.asker, info.asked, info.status) == (person.owner, partner, RequestStatus.OPEN)

    client.force_login(advisor)
    page = client.get(info.get_absolute_url()).content.decode()
    assert "Status w PUP?" in page and reverse("messaging:request_answer", args=[info.pk]) in page
    client.post(
        reverse("messaging:request_answer", args=[info.pk]), {"answer": "Zarejestrowana od maja."}
    )
    info.refresh_from_db()
    assert info.status == RequestStatus.ANSWERED and info.answered_by == advisor
    client.force_login(owner)
    assert "Zarejestrowana od maja." in client.get(info.get_absolute_url()).content.decode()


def test_the_asker_cannot_answer_and_the_asked_cannot_withdraw(
    client, person, owner, advisor, partner
) -> None:
    info = _ask(person, owner, partner)
    client.force_login(owner)
    assert (
        client.post(
            reverse("messaging:request_answer", args=[info.pk]), {"answer": "Sam sobie"}
        ).status_code
        == 403
    )
    client.force_login(advisor)
    assert client.post(reverse("messaging:request_withdraw", args=[info.pk])).status_code == 403
    client.force_login(owner)
    client.post(reverse("messaging:request_withdraw", args=[info.pk]))
    info.refresh_from_db()
    assert info.status == RequestStatus.WITHDRAWN


def test_a_date_in_the_past_is_refused_in_polish_next_to_the_field_and_nothing_is_lost(
    client, person, owner, partner
) -> None:
    client.force_login(owner)
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    with translation.override("pl"):
        response = client.post(
            reverse("messaging:request_new", args=[person.pk]),
            {
                "asked": partner.pk,
                "question": "Pytanie, którego nie wolno zgubić",
                "purpose": "Uzasadnienie też",
                "due_on": yesterday,
            },
            HTTP_ACCEPT_LANGUAGE="pl",
        )
    body = response.content.decode()
    assert response.status_code == 200 and not InformationRequest.objects.exists()
    assert "Data nie może być z przeszłości." in body
    field = body.split('id="id_due_on_error"', 1)[1][:200] if 'id="id_due_on_error"' in body else ""
    assert "Data nie może być z przeszłości." in field
    assert "Pytanie, którego nie wolno zgubić" in body and "Uzasadnienie też" in body
    assert f'value="{yesterday}"' in body


def test_only_institutions_sharing_the_client_can_be_asked(person, owner, own) -> None:
    from django.core.exceptions import ValidationError

    stranger = InstitutionFactory(county=own.county)
    with pytest.raises(ValidationError) as exc:
        _ask(person, owner, stranger)
    assert "asked" in exc.value.message_dict


def test_a_third_sharing_partner_does_not_see_a_request_between_two_others(
    client, person, owner, partner, own
) -> None:
    from agreements.models import Scope

    from ..factories import agreement_between
    from .conftest import share

    third = InstitutionFactory(county=own.county, name="PCPR Trzeci")
    agreement_between(own, third, [Scope.CLIENT_RECORDS])
    share(person, owner, third)
    info = _ask(person, owner, partner, question="Tylko dla PUP")
    client.force_login(member(third, Role.SOCIAL_WORKER))
    assert client.get(info.get_absolute_url()).status_code == 404
    body = client.get(reverse("clients:detail", args=[person.pk]), {"tab": "messages"})
    assert "Tylko dla PUP" not in body.content.decode()


def test_when_the_share_ends_open_requests_with_the_partner_are_withdrawn(
    client, person, owner, advisor, partner
) -> None:
    info = _ask(person, owner, partner)
    client_unshare(share=person.shares.get(partner=partner), acting_user=owner, reason="koniec")
    info.refresh_from_db()
    assert info.status == RequestStatus.WITHDRAWN
    client.force_login(advisor)
    assert client.get(info.get_absolute_url()).status_code == 404


def test_an_overdue_request_shows_on_both_home_pages(
    client, person, owner, advisor, partner
) -> None:
    with time_machine.travel(shifted_now("2026-03-02T09:00"), tick=False):
        info = _ask(person, owner, partner, days=3, question="Zaległe pytanie o klientkę")
    with time_machine.travel(shifted_now("2026-03-06T09:00"), tick=False):
        for user in (owner, advisor):
            client.force_login(user)
            body = get_loaded(client, reverse("home"))
            assert "Zaległe pytanie" in body, user
            assert "po terminie" in body or "overdue" in body
    with time_machine.travel(shifted_now("2026-03-04T09:00"), tick=False):
        client.force_login(owner)  # before the date: not on the asker's home page
        assert "Zaległe pytanie" not in get_loaded(client, reverse("home"))
        client.force_login(advisor)  # but waiting for the asked institution's answer
        assert "Zaległe pytanie" in get_loaded(client, reverse("home"))
    request_answer(request=info, acting_user=advisor, answer="Już")
    with time_machine.travel(shifted_now("2026-03-06T09:00"), tick=False):
        client.force_login(owner)
        assert "Zaległe pytanie" not in get_loaded(client, reverse("home"))


@pytest.mark.parametrize("rows", [2, 25])
def test_the_home_page_stays_within_its_budget(
    client, django_assert_max_num_queries, person, owner, partner, rows
) -> None:
    with time_machine.travel(shifted_now("2026-03-02T09:00"), tick=False):
        for i in range(rows):
            _ask(person, owner, partner, days=1, question=f"p{i}")
    with time_machine.travel(shifted_now("2026-03-06T09:00"), tick=False):
        client.force_login(owner)
        with django_assert_max_num_queries(16):
            assert client.get(reverse("home")).status_code == 200


def test_the_daily_job_tells_each_overdue_request_once(person, owner, partner) -> None:
    with time_machine.travel(shifted_now("2026-03-02T09:00"), tick=False):
        _ask(person, owner, partner, days=1)
    day = dt.date(2026, 3, 4)
    assert requests_run_daily(today=day)["overdue"] == 1
    assert requests_run_daily(today=day)["overdue"] == 0


def test_the_list_shows_what_was_asked_of_us_and_what_we_sent(
    client, person, owner, advisor, partner
) -> None:
    _ask(person, owner, partner, question="Pytanie z MOPS")
    client.force_login(advisor)
    body = client.get(reverse("messaging:requests")).content.decode()
    received = body.split('id="received-h"', 1)[1].split('id="sent-h"', 1)[0]
    assert "Pytanie z MOPS" in received
    client.force_login(owner)
    body = client.get(reverse("messaging:requests")).content.decode()
    assert "Pytanie z MOPS" in body.split('id="sent-h"', 1)[1]


def test_requests_past_their_date_on_days_the_job_missed_are_told_once(
    person, owner, partner, advisor
) -> None:
    """Beat runs, then not on the two days after (a worker down), then again: both
    requests that passed their date meanwhile are told, once, whatever runs next."""
    from messaging.tasks import messaging_daily

    from ..notifications.daily import notices, run_at

    first, second = _ask(person, owner, partner), _ask(person, owner, partner)
    start = timezone.localdate() + dt.timedelta(days=7)
    InformationRequest.objects.filter(pk=first.pk).update(due_on=start)
    InformationRequest.objects.filter(pk=second.pk).update(due_on=start + dt.timedelta(days=1))
    assert run_at(start, messaging_daily)["overdue"] == 0
    assert run_at(start + dt.timedelta(days=3), messaging_daily)["overdue"] == 2
    told = notices("messaging.request_overdue")
    assert {t for t, _pk in told} == {first.pk, second.pk}
    assert told and set(told.values()) == {1}
    assert run_at(start + dt.timedelta(days=3), messaging_daily, hour="09:00")["overdue"] == 0
    # The stamps lost (a database restored): told again under the same ids, to nobody twice.
    InformationRequest.objects.update(overdue_told_on=None)
    assert run_at(start + dt.timedelta(days=4), messaging_daily)["overdue"] == 2
    assert notices("messaging.request_overdue") == told
