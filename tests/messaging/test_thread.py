"""The thread about a shared client: the owner and the partner write and read it;
outsiders see nothing; when the share ends the partner loses it (the owner keeps it)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clients.services import client_anonymise, client_unshare
from cooperation.models import AuditAction, AuditEvent, Role
from messaging.models import ERASED, Message
from messaging.services import message_post

from ..factories import InstitutionFactory, member

pytestmark = pytest.mark.django_db


def _tab(client, person):
    return client.get(reverse("clients:detail", args=[person.pk]), {"tab": "messages"})


def _post(client, person, text):
    return client.post(reverse("messaging:message_post", args=[person.pk]), {"text": text})


def test_owner_and_partner_write_and_read_the_thread_newest_last(
    client, person, owner, advisor
) -> None:
    client.force_login(owner)
    response = _post(client, person, "Klientka zgłosiła się po zasiłek.")
    assert response.status_code == 302
    client.force_login(advisor)
    _post(client, person, "Zaproponujemy staż od przyszłego miesiąca.")
    body = _tab(client, person).content.decode()
    first, second = body.index("Klientka zgłosiła"), body.index("Zaproponujemy staż")
    assert first < second  # newest last
    assert "MOPS Testowo" in body and "PUP Testowo" in body
    assert owner.display_name in body and advisor.display_name in body
    client.force_login(owner)
    assert "Zaproponujemy staż" in _tab(client, person).content.decode()


def test_a_message_is_audited_like_a_note(person, owner) -> None:
    message = message_post(client=person, acting_user=owner, text="Notatka do wątku")
    from django.contrib.contenttypes.models import ContentType

    row = AuditEvent.objects.get(
        content_type=ContentType.objects.get_for_model(Message),
        object_id=str(message.pk),
        action=AuditAction.CREATE,
    )
    assert row.actor == owner and row.institution_id == person.owner_id
    assert "Notatka" not in row.object_label


def test_an_empty_message_is_refused_and_a_long_one_kept_on_the_form(client, person, owner) -> None:
    client.force_login(owner)
    response = _post(client, person, "   ")
    assert response.status_code == 200 and Message.objects.count() == 0
    long = "x" * 4001
    response = _post(client, person, long)
    assert response.status_code == 200 and long in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()


def test_outsiders_get_404_and_no_message(client, person, owner, outsider, own) -> None:
    message_post(client=person, acting_user=owner, text="Tajemnica wątku")
    neighbour = member(InstitutionFactory(county=own.county), Role.COORDINATOR)
    for intruder in (outsider, neighbour):
        client.force_login(intruder)
        assert _tab(client, person).status_code == 404
        response = _post(client, person, "Wtargnięcie")
        assert response.status_code == 404
    assert Message.objects.count() == 1


def test_when_the_share_ends_the_partner_loses_the_thread_and_the_owner_keeps_it(
    client, person, owner, advisor, partner
) -> None:
    message_post(client=person, acting_user=advisor, text="Wiadomość partnera")
    client_unshare(share=person.shares.get(partner=partner), acting_user=owner, reason="koniec")
    client.force_login(advisor)
    assert _tab(client, person).status_code == 404
    assert _post(client, person, "Jeszcze jedno").status_code == 404
    client.force_login(owner)
    assert "Wiadomość partnera" in _tab(client, person).content.decode()
    assert Message.objects.count() == 1


def test_anonymising_the_client_erases_the_thread_text(person, owner, own) -> None:
    import datetime as dt

    from django.conf import settings
    from django.utils import timezone

    message_post(client=person, acting_user=owner, text="Dług 3000 zł")
    years = settings.RETENTION["closed_clients_years"] + 1
    person.status, person.closed_at = (
        "closed",
        timezone.localdate() - dt.timedelta(days=366 * years),
    )
    person.save()
    client_anonymise(client=person, acting_user=member(own, Role.COORDINATOR))
    assert list(Message.objects.values_list("text", flat=True)) == [ERASED]


@pytest.mark.parametrize("rows", [2, 40])
def test_the_client_page_costs_the_same_queries_for_any_thread(
    client, django_assert_max_num_queries, person, owner, advisor, rows
) -> None:
    for i in range(rows):
        message_post(client=person, acting_user=owner if i % 2 else advisor, text=f"w{i}")
    client.force_login(owner)
    url = reverse("clients:detail", args=[person.pk])
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(url, {"tab": "messages"}).status_code == 200
