"""The audit log as evidence: CSV export for coordinators, and the "who saw this
client" panel and its CSV on the client page for the owner's coordinator."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from cooperation.audit import audit
from cooperation.models import AuditAction, AuditEvent, Role
from cooperation.permissions import VIEW
from cooperation.services import object_share

from ..factories import ClientFactory, member
from ..lazy import get_loaded


def _rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_a_coordinator_downloads_their_institutions_log_as_csv(
    client, own, foreign, owner, coordinator, outsider
) -> None:
    audit(actor=owner, action=AuditAction.LOGIN)
    audit(actor=outsider, action=AuditAction.LOGIN, reason="obcy-powod")
    client.force_login(coordinator)
    response = client.get(reverse("cooperation:audit_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="dziennik-mops-test-')
    rows = _rows(response)
    usernames = {row[2] for row in rows[1:]}
    assert owner.username in usernames and outsider.username not in usernames
    assert "obcy-powod" not in response.content.decode()
    # The export itself is evidence too.
    assert AuditEvent.objects.filter(
        actor=coordinator, action=AuditAction.EXPORT, reason="audit log (CSV)"
    ).exists()


def test_the_export_follows_the_filters_on_screen(client, owner, coordinator) -> None:
    audit(actor=owner, action=AuditAction.LOGIN)
    audit(actor=owner, action=AuditAction.LOGOUT)
    client.force_login(coordinator)
    rows = _rows(client.get(reverse("cooperation:audit_export"), {"action": "logout"}))
    assert len(rows) == 2  # the header and the one logout


def test_cells_cannot_run_as_spreadsheet_formulas(client, owner, coordinator) -> None:
    audit(actor=owner, action=AuditAction.VIEW, reason='=HYPERLINK("http://zly.example")')
    client.force_login(coordinator)
    rows = _rows(client.get(reverse("cooperation:audit_export")))
    reasons = [row[9] for row in rows[1:]]
    assert '\'=HYPERLINK("http://zly.example")' in reasons


def test_a_social_worker_cannot_export_the_log(client, owner) -> None:
    client.force_login(owner)
    assert client.get(reverse("cooperation:audit_export")).status_code in (403, 404)


# --- who saw this client -------------------------------------------------------
@pytest.fixture
def shared(own, owner, partner):
    c = ClientFactory(owner=own, created_by=owner)
    object_share(obj=c, institution=partner, actions=[VIEW], acting_user=owner, reason="test")
    return c


def test_the_owners_coordinator_sees_who_saw_the_client_in_any_institution(
    client, shared, partner, partner_user, coordinator
) -> None:
    client.force_login(partner_user)
    assert client.get(reverse("clients:detail", args=[shared.pk])).status_code == 200
    client.force_login(coordinator)
    body = get_loaded(client, reverse("clients:detail", args=[shared.pk]))
    assert 'id="client-access"' in body
    assert partner_user.display_name in body and partner.name in body

    response = client.get(reverse("clients:access_log", args=[shared.pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    rows = _rows(response)
    assert any(row[2] == partner_user.username and row[6] == str(shared.pk) for row in rows[1:])
    # Names and PESEL are not in the log: it names the record, not its data.
    assert shared.pesel not in response.content.decode()


def test_nobody_else_sees_the_panel_or_its_csv(
    client, own, shared, owner, partner, partner_user
) -> None:
    partner_coordinator = member(partner, Role.COORDINATOR)
    for user in (owner, partner_user, partner_coordinator):
        client.force_login(user)
        page = get_loaded(client, reverse("clients:detail", args=[shared.pk]))
        assert 'id="client-access"' not in page
        assert client.get(reverse("clients:access_log", args=[shared.pk])).status_code == 404


@pytest.mark.parametrize("views", [1, 30])
def test_the_panel_costs_the_same_queries_for_a_long_history(
    client, django_assert_max_num_queries, own, owner, coordinator, views
) -> None:
    c = ClientFactory(owner=own, created_by=owner)
    for _ in range(views):
        audit(actor=owner, action=AuditAction.VIEW, obj=c)
    client.force_login(coordinator)
    client.get(reverse("clients:detail", args=[c.pk]))  # warm the session
    # Constant in the history's length: the page (issue 18's budget), and the panel,
    # which loads lazily from its own URL.
    with django_assert_max_num_queries(12):
        client.get(reverse("clients:detail", args=[c.pk]))
    with django_assert_max_num_queries(8):
        url = reverse("clients:panel", args=[c.pk, "access"])
        body = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert body.count("<li>") >= 1
