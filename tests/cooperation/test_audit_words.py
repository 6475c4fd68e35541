"""The audit log reads as Polish: field labels, the client's name for those
who may see the client, and the address of every write, not only of reads."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from clients import services as client_services
from cooperation.audit import audit
from cooperation.models import AuditAction, AuditEvent, Role

from ..factories import ClientFactory, member
from ..lazy import get_loaded


def test_the_fields_column_shows_the_fields_polish_labels(client, own, owner, coordinator) -> None:
    c = ClientFactory(owner=own)
    audit(actor=owner, action=AuditAction.UPDATE, obj=c, fields=["birth_date", "household_notes"])
    client.force_login(coordinator)
    body = client.get(reverse("cooperation:audit")).content.decode()
    assert "data urodzenia" in body.lower()
    assert "birth_date" not in body


def test_groups_and_related_rows_are_named_in_polish(client, own, owner, coordinator) -> None:
    from reintegration.models import ReintegrationPlan

    c = ClientFactory(owner=own)
    audit(actor=owner, action=AuditAction.VIEW, obj=c, fields=["pesel", "contact", "address"])
    client.force_login(coordinator)
    body = client.get(reverse("cooperation:audit")).content.decode()
    assert "adres, dane kontaktowe, PESEL" in body
    assert ReintegrationPlan.audit_part_label("housing") == "mieszkanie"


def test_a_record_names_the_client_to_a_coordinator_who_may_see_them(
    client, own, owner, coordinator
) -> None:
    c = ClientFactory(owner=own, first_name="Halina", last_name="Świątkowska")
    audit(actor=owner, action=AuditAction.VIEW, obj=c, fields=["pesel"])
    client.force_login(coordinator)
    body = client.get(reverse("cooperation:audit")).content.decode()
    assert "Halina Świątkowska" in body
    assert f"#{c.pk}" not in body


def test_an_administrator_who_may_not_see_clients_gets_no_name(client, own, owner) -> None:
    admin = member(own, Role.INSTITUTION_ADMIN)
    c = ClientFactory(owner=own, first_name="Halina", last_name="Świątkowska")
    audit(actor=owner, action=AuditAction.VIEW, obj=c, fields=["pesel"])
    client.force_login(admin)
    body = client.get(reverse("cooperation:audit")).content.decode()
    assert "Świątkowska" not in body
    assert f"klient nr {c.pk}" in body


def test_a_consents_row_names_its_client_and_the_home_page_reads_as_a_sentence(
    client, own, owner, coordinator
) -> None:
    from clients.models import Consent

    c = ClientFactory(owner=own, first_name="Halina", last_name="Świątkowska")
    today = timezone.localdate()
    consent = Consent.objects.create(
        client=c, partner=own, given_on=today, valid_until=today, recorded_by=owner
    )
    audit(actor=owner, action=AuditAction.CREATE, obj=consent)
    client.force_login(coordinator)
    body = get_loaded(client, reverse("home"))
    assert f"Utworzenie: zgoda lub podstawa prawna nr {consent.pk} — Halina Świątkowska" in body
    assert "utworzenie zgoda" not in body


@pytest.mark.parametrize("rows", [5, 60])
def test_naming_clients_costs_the_same_queries_for_any_size(
    client, django_assert_max_num_queries, own, owner, coordinator, rows
) -> None:
    clients = [ClientFactory(owner=own) for _ in range(rows)]
    for c in clients:
        audit(actor=owner, action=AuditAction.VIEW, obj=c, fields=["pesel", "birth_date"])
    client.force_login(coordinator)
    with django_assert_max_num_queries(9):
        body = client.get(reverse("cooperation:audit")).content.decode()
    assert clients[-1].last_name in body


def test_a_write_records_the_address_it_came_from(own, owner) -> None:
    from cooperation.middleware import RequestAddressMiddleware

    c = ClientFactory(owner=own)
    request = RequestFactory().post("/", REMOTE_ADDR="10.9.8.7")

    def view(request):  # a service writing its audit row without the request
        client_services.note_add(
            client=c, acting_user=owner, happened_on=timezone.localdate(), text="x", internal=False
        )
        return HttpResponse()

    RequestAddressMiddleware(view)(request)
    event = AuditEvent.objects.filter(action=AuditAction.CREATE).latest("id")
    assert event.ip == "10.9.8.7"


def test_a_write_made_outside_a_request_has_no_address(own, owner) -> None:
    c = ClientFactory(owner=own)
    client_services.note_add(
        client=c, acting_user=owner, happened_on=timezone.localdate(), text="x", internal=False
    )
    assert {e.ip for e in AuditEvent.objects.filter(action=AuditAction.CREATE)} == {None}


def test_the_csv_export_names_the_fields_in_polish_too(client, own, owner, coordinator) -> None:
    c = ClientFactory(owner=own)
    audit(actor=owner, action=AuditAction.UPDATE, obj=c, fields=["birth_date", "withdrawn_at"])
    client.force_login(coordinator)
    text = client.get(reverse("cooperation:audit_export")).content.decode("utf-8-sig")
    assert "data urodzenia" in text and "birth_date" not in text
