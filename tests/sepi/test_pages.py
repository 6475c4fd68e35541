"""The SEPI panel on the client page and its live fragments, the coordinator's
list with CSV export, and the batch check — through views, over a real socket
to the simulator."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from html import escape

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import avoid_wrapping
from django.utils.translation import gettext, ngettext

from agreements.models import Scope
from clients.timeline import timeline_for
from cooperation.models import AuditAction, AuditEvent, Role
from sepi import simulator
from sepi.labels import label
from sepi.models import BatchCheck, BatchStatus, FailureReason, Lookup, LookupStatus, Purpose
from sepi.services import batch_candidates, lookup_request
from sepi.types import LabourStatus

from ..factories import ClientFactory, agreement_between, member
from ..lazy import get_loaded
from .conftest import SIM_TODAY, faulty_pesel, pesel_where, registered_pesel, share

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
PURPOSE = Purpose.BENEFIT_ELIGIBILITY


def start(client, pk: int, **data):
    payload = {"sepi-purpose": PURPOSE, "sepi-request_key": data.pop("key", ""), **data}
    return client.post(reverse("sepi:lookup_start", args=[pk]), payload, **HX)


def status_of(response) -> str:
    match = re.search(r'id="sepi-state"[^>]*data-status="(\w+)"', response.content.decode())
    assert match, response.content.decode()[:500]
    return match.group(1)


# --- the panel on the client's page -----------------------------------------------


def test_the_client_page_shows_the_panel_with_htmx(client, own_client, owner) -> None:
    client.force_login(owner)
    body = get_loaded(client, own_client.get_absolute_url())
    assert 'id="sepi-panel"' in body
    assert "django_htmx/htmx-2.min.js" in body
    assert 'id="sepi-none"' in body and 'name="sepi-purpose"' in body
    assert "<script>" not in body.split('id="sepi-panel"')[1]  # no inline script (CSP)


def test_the_panel_is_hidden_without_the_sepi_scope(
    client, own, partner, owner, pup_advisor
) -> None:
    agreement_between(own, partner, [Scope.CLIENT_RECORDS])
    theirs = ClientFactory(owner=partner, created_by=pup_advisor, pesel=registered_pesel())
    share(theirs, pup_advisor, own, [Scope.CLIENT_RECORDS])
    client.force_login(owner)
    assert 'id="sepi-panel"' not in get_loaded(client, theirs.get_absolute_url())
    assert start(client, theirs.pk).status_code == 403


def test_asking_queues_then_the_fragment_shows_the_answer(
    client, django_capture_on_commit_callbacks, sepi_http, partners_client, owner
) -> None:
    client.force_login(owner)
    with django_capture_on_commit_callbacks() as callbacks:
        response = start(client, partners_client.pk)
    body = response.content.decode()
    assert status_of(response) == "queued"
    lookup = Lookup.objects.get()
    poll = reverse("sepi:lookup_state", args=[lookup.pk])
    assert f'hx-get="{poll}"' in body and 'hx-trigger="every 1s"' in body
    assert 'id="sepi-progress"' in body and 'name="sepi-purpose"' not in body  # no second ask
    assert status_of(client.get(poll, **HX)) == "queued"  # still waiting: keeps polling
    for callback in callbacks:
        callback()  # the worker runs the task
    response = client.get(poll, **HX)
    body = response.content.decode()
    assert status_of(response) == "done"
    assert "hx-trigger" not in body  # polling stops
    expected = simulator.person_status(partners_client.pesel, today=SIM_TODAY)
    assert 'id="sepi-status-value"' in body and 'id="sepi-age"' in body
    assert expected["registrations"][-1]["from"] in body
    assert AuditEvent.objects.filter(reason=f"SEPI #{lookup.pk} shown").exists()


@pytest.mark.django_db(transaction=True)
def test_with_eager_tasks_the_answer_comes_at_once(client, sepi_http, own, owner) -> None:
    own_client = ClientFactory(owner=own, created_by=owner, pesel=registered_pesel())
    client.force_login(owner)
    response = start(client, own_client.pk)
    assert status_of(response) == "done"
    assert 'id="sepi-status-value"' in response.content.decode()


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("error", FailureReason.UNAVAILABLE),
        ("timeout", FailureReason.TIMEOUT),
        ("malformed", FailureReason.MALFORMED),
        ("schema", FailureReason.SCHEMA),
    ],
)
def test_each_fault_shows_its_reason_and_a_retry_button(
    client, django_capture_on_commit_callbacks, sepi_http, own, owner, fault, reason
) -> None:
    target = ClientFactory(owner=own, pesel=faulty_pesel(fault))
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        start(client, target.pk)
    lookup = Lookup.objects.get()
    response = client.get(reverse("sepi:lookup_state", args=[lookup.pk]), **HX)
    body = response.content.decode()
    assert status_of(response) == "failed"
    assert 'role="alert"' in body and escape(str(reason.label)) in body
    assert 'id="sepi-retry"' in body and f'value="{PURPOSE}"' in body
    assert "hx-trigger" not in body


def test_retry_after_a_failure_asks_again_and_keeps_both_records(
    client, django_capture_on_commit_callbacks, sepi_http, own_client, owner
) -> None:
    simulator.control(sepi_http.url, fault="error", count=3)  # one try and two retries fail
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        start(client, own_client.pk, key="first")
    failed = Lookup.objects.get()
    assert failed.failure_reason == FailureReason.UNAVAILABLE
    page = get_loaded(client, own_client.get_absolute_url())
    assert 'id="sepi-retry"' in page
    key = re.search(r'name="sepi-request_key" value="(\w+)"', page).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        start(client, own_client.pk, key=key)
    retried = Lookup.objects.exclude(pk=failed.pk).get()
    assert retried.status == LookupStatus.DONE and retried.purpose == failed.purpose
    failed.refresh_from_db()
    assert failed.status == LookupStatus.FAILED  # the failure stays on record


def test_a_failure_still_shows_the_last_good_answer(
    client, django_capture_on_commit_callbacks, sepi_http, own_client, owner
) -> None:
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        start(client, own_client.pk)
    simulator.control(sepi_http.url, fault="error", count=3)
    with django_capture_on_commit_callbacks(execute=True):
        start(client, own_client.pk, **{"sepi-refresh": "on"})
    body = get_loaded(client, own_client.get_absolute_url())
    assert 'id="sepi-failure"' in body and 'id="sepi-status-value"' in body


def test_a_change_is_highlighted_on_the_page(
    client, django_capture_on_commit_callbacks, sepi_http, own, owner
) -> None:
    def deregisters(pesel: str) -> bool:
        regs = simulator.person_status(pesel, today=SIM_TODAY).get("registrations", [])
        return bool(regs) and bool(regs[-1]["to"]) and regs[-1]["to"] > "2026-06-01"

    pesel = pesel_where(deregisters)
    day = dt.date.fromisoformat(
        simulator.person_status(pesel, today=SIM_TODAY)["registrations"][-1]["to"]
    )
    target = ClientFactory(owner=own, pesel=pesel)
    client.force_login(owner)
    simulator.control(sepi_http.url, today=(day - dt.timedelta(days=1)).isoformat())
    with django_capture_on_commit_callbacks(execute=True):
        start(client, target.pk)
    simulator.control(sepi_http.url, today=day.isoformat())
    with django_capture_on_commit_callbacks(execute=True):
        start(client, target.pk, **{"sepi-refresh": "on"})
    body = get_loaded(client, target.get_absolute_url())
    assert 'id="sepi-changes"' in body
    assert escape(gettext("Deregistered since %(date)s") % {"date": day.isoformat()}) in body


def test_a_saved_answer_is_shown_with_its_age(
    client, django_capture_on_commit_callbacks, sepi_http, own_client, owner
) -> None:
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        start(client, own_client.pk)
    Lookup.objects.update(fetched_at=timezone.now() - dt.timedelta(minutes=40))
    response = start(client, own_client.pk)  # within the cache time: no task at all
    body = response.content.decode()
    assert status_of(response) == "done" and 'id="sepi-from-cache"' in body
    age = re.search(r'id="sepi-age"[^>]*>(.*?)</p>', body, re.S).group(1)
    forty = avoid_wrapping(ngettext("%(num)d minute", "%(num)d minutes", 40) % {"num": 40})
    assert escape(forty) in age  # "40 minut", in the page's language, as the age
    assert 'name="sepi-refresh"' in body  # they may still insist on a fresh answer


def test_a_missing_purpose_is_shown_next_to_the_field(client, sepi_http, own_client, owner) -> None:
    client.force_login(owner)
    response = start(client, own_client.pk, **{"sepi-purpose": ""})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not Lookup.objects.exists()


def test_the_rate_limit_is_explained_in_the_panel(
    settings, client, sepi_http, own_client, owner
) -> None:
    settings.SEPI_RATE_LIMIT_PER_HOUR = 0
    client.force_login(owner)
    body = start(client, own_client.pk).content.decode()
    limit = gettext("You have reached the limit of %(n)s SEPI lookups an hour. Try again later.")
    assert escape(limit % {"n": 0}) in body
    assert not Lookup.objects.exists()


def test_without_htmx_the_form_still_works(client, settings, own_client, owner) -> None:
    settings.SEPI_BACKEND = "simulator"
    client.force_login(owner)
    response = client.post(
        reverse("sepi:lookup_start", args=[own_client.pk]), {"sepi-purpose": PURPOSE}
    )
    assert response.status_code == 302 and response.url.endswith("/panel/sepi/")


def test_the_state_of_a_lookup_is_only_for_its_institution(
    client, settings, own_client, owner, colleague, partner_user
) -> None:
    settings.SEPI_BACKEND = "simulator"
    lookup = lookup_request(client=own_client, acting_user=owner, purpose=PURPOSE)
    url = reverse("sepi:lookup_state", args=[lookup.pk])
    client.force_login(colleague)
    assert client.get(url, **HX).status_code == 200
    client.force_login(partner_user)
    assert client.get(url, **HX).status_code == 404


def test_the_timeline_lists_the_institutions_lookups(
    django_capture_on_commit_callbacks, sepi_http, partners_client, owner, pup_advisor
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        lookup_request(client=partners_client, acting_user=owner, purpose=PURPOSE)
    kind = gettext("SEPI")
    mine = [e for e in timeline_for(partners_client, owner) if e.kind == kind]
    status = simulator.person_status(partners_client.pesel, today=SIM_TODAY)["status"]["code"]
    assert len(mine) == 1
    assert mine[0].title == gettext("SEPI: %(status)s") % {"status": label(LabourStatus(status))}
    assert str(PURPOSE.label) in mine[0].detail
    assert not [e for e in timeline_for(partners_client, pup_advisor) if e.kind == kind]


def test_the_home_page_lists_my_recent_lookups(client, settings, own_client, owner) -> None:
    settings.SEPI_BACKEND = "simulator"
    lookup_request(client=own_client, acting_user=owner, purpose=PURPOSE)
    client.force_login(owner)
    body = client.get("/").content.decode()
    assert 'id="section-sepi_lookups"' in body and own_client.last_name in body


# --- the coordinator's list -----------------------------------------------------------


def _lookups(own, owner, n: int) -> None:
    now = timezone.now()
    for i in range(n):
        target = ClientFactory(owner=own, pesel=pesel_where(bool, start=100 + i))
        Lookup.objects.create(
            client=target,
            institution=own,
            requested_by=owner,
            pesel=target.pesel,
            purpose=PURPOSE,
            request_key=f"k{own.pk}-{i}",
            requested_at=now - dt.timedelta(days=i),
            status=LookupStatus.FAILED if i % 3 == 0 else LookupStatus.DONE,
            failure_reason=FailureReason.TIMEOUT if i % 3 == 0 else "",
            result=None if i % 3 == 0 else {"status": {"code": "long_term_unemployed"}},
        )


def test_only_managers_see_the_list(client, own, owner, coordinator) -> None:
    client.force_login(owner)
    assert client.get(reverse("sepi:list")).status_code == 403
    assert client.get(reverse("sepi:export")).status_code == 403
    client.force_login(coordinator)
    assert client.get(reverse("sepi:list")).status_code == 200


def test_the_list_shows_who_asked_about_whom_and_why(
    client, own, owner, coordinator, foreign
) -> None:
    _lookups(own, owner, 4)
    stranger = member(foreign, Role.SOCIAL_WORKER)
    _lookups(foreign, stranger, 1)  # another county's lookups never appear
    client.force_login(coordinator)
    body = client.get(reverse("sepi:list")).content.decode()
    rows = re.findall(r"<tr>\s*<td class=\"num\">", body)
    assert len(rows) == 4
    assert owner.display_name in body and str(PURPOSE.label) in body
    assert label(LabourStatus.LONG_TERM_UNEMPLOYED) not in body  # no SEPI data on the audit page
    assert AuditEvent.objects.filter(action=AuditAction.LIST, actor=coordinator).count() == 4


def test_the_list_filters_by_date_and_refuses_an_upside_down_range(
    client, own, owner, coordinator
) -> None:
    _lookups(own, owner, 5)
    client.force_login(coordinator)
    today = timezone.localdate()
    body = client.get(
        reverse("sepi:list"),
        {"date_from": (today - dt.timedelta(days=1)).isoformat(), "date_to": today.isoformat()},
    ).content.decode()
    assert len(re.findall(r"<tr>\s*<td class=\"num\">", body)) == 2
    body = client.get(
        reverse("sepi:list"),
        {"date_from": today.isoformat(), "date_to": (today - dt.timedelta(days=3)).isoformat()},
    ).content.decode()
    assert 'class="field field--error"' in body  # the range is refused next to the field


def test_the_csv_export_is_for_audits(client, own, owner, coordinator) -> None:
    _lookups(own, owner, 3)
    client.force_login(coordinator)
    response = client.get(reverse("sepi:export"), {"status": "failed"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff")), delimiter=";"))
    assert len(rows) == 2  # header + the one failed lookup
    lookup = Lookup.objects.get(status=LookupStatus.FAILED)
    row = rows[1]
    assert row[1] == owner.display_name and row[2] == lookup.client.full_name
    assert row[3] == f"{lookup.pesel[:2]}******{lookup.pesel[-3:]}"
    assert row[4] == str(PURPOSE.label) and str(FailureReason.TIMEOUT.label) in row[5]
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, fields=["sepi"]).exists()


@pytest.mark.parametrize("rows", [3, 30])
def test_the_list_costs_the_same_for_few_and_many_rows(
    client, django_assert_max_num_queries, own, owner, coordinator, rows
) -> None:
    _lookups(own, owner, rows)
    client.force_login(coordinator)
    client.get(reverse("sepi:list"))  # warm the session and content-type caches
    # 10, constant in rows: the batch button now asks once per page whether an agreement
    # with the PUP covers SEPI, and the batch count reads our SEPI consents once.
    with django_assert_max_num_queries(10):
        assert client.get(reverse("sepi:list")).status_code == 200


# --- the batch check --------------------------------------------------------------------


@pytest.fixture
def shared_set(own, partner, owner, pup_advisor):
    """Three own clients shared with the PUP, one partner client shared with SEPI scope,
    one own client not shared, one partner client shared without... (all covered by one agreement)."""
    agreement_between(own, partner, [Scope.CLIENT_RECORDS, Scope.SEPI])
    ours = [ClientFactory(owner=own, pesel=pesel_where(bool, start=300 + i)) for i in range(4)]
    for c in ours[:3]:
        share(c, owner, partner, [Scope.CLIENT_RECORDS])
    theirs = ClientFactory(
        owner=partner, created_by=pup_advisor, pesel=pesel_where(bool, start=400)
    )
    share(theirs, pup_advisor, own, [Scope.CLIENT_RECORDS, Scope.SEPI])
    # A partner's client shared under a consent without SEPI stays out of the batch.
    no_sepi = ClientFactory(
        owner=partner, created_by=pup_advisor, pesel=pesel_where(bool, start=500)
    )
    share(no_sepi, pup_advisor, own, [Scope.CLIENT_RECORDS])
    return {"shared": [*ours[:3], theirs], "unshared": ours[3]}


def test_the_batch_covers_exactly_the_shared_clients(shared_set, coordinator) -> None:
    assert set(batch_candidates(coordinator)) == set(shared_set["shared"])


def test_a_batch_check_refreshes_all_shared_clients_in_chunks(
    settings, client, django_capture_on_commit_callbacks, sepi_http, shared_set, coordinator
) -> None:
    settings.SEPI_BATCH_CHUNK = 3
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("sepi:batch_start"), {"batch-purpose": Purpose.PERIODIC_REVIEW}
        )
    assert response.status_code == 302
    assert len(callbacks) == 2  # 4 clients in chunks of 3
    batch = BatchCheck.objects.get()
    progress = client.get(reverse("sepi:batch_progress", args=[batch.pk]), **HX).content.decode()
    assert 'value="0"' in progress and 'hx-trigger="every 1s"' in progress
    callbacks[0]()
    progress = client.get(reverse("sepi:batch_progress", args=[batch.pk]), **HX).content.decode()
    assert 'id="sepi-batch-bar" max="4" value="3"' in progress
    callbacks[1]()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE and batch.finished_at
    progress = client.get(reverse("sepi:batch_progress", args=[batch.pk]), **HX).content.decode()
    assert 'value="4"' in progress and "hx-trigger" not in progress
    assert Lookup.objects.filter(batch=batch, status=LookupStatus.DONE).count() == 4
    assert sepi_http.state.served == 4
    audited = AuditEvent.objects.filter(action=AuditAction.VIEW, fields=["sepi"], actor=coordinator)
    assert audited.count() == 4
    page = client.get(reverse("sepi:list")).content.decode()
    assert 'id="sepi-batch"' in page and f'data-batch="{batch.pk}"' in page


def test_a_batch_reuses_fresh_answers(
    client, django_capture_on_commit_callbacks, sepi_http, shared_set, coordinator
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        lookup_request(client=shared_set["shared"][0], acting_user=coordinator, purpose=PURPOSE)
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("sepi:batch_start"), {"batch-purpose": Purpose.PERIODIC_REVIEW})
    batch = BatchCheck.objects.get()
    assert batch.lookups.filter(from_cache=True).count() == 1
    assert sepi_http.state.served == 4  # 1 before + 3 in the batch


def test_only_one_batch_runs_at_a_time_and_only_for_coordinators(
    client, django_capture_on_commit_callbacks, settings, shared_set, coordinator, owner, own
) -> None:
    settings.SEPI_BACKEND = "simulator"
    client.force_login(owner)
    assert client.post(reverse("sepi:batch_start"), {"batch-purpose": PURPOSE}).status_code == 403
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks():  # the chunks never run: still running
        client.post(reverse("sepi:batch_start"), {"batch-purpose": PURPOSE})
    response = client.post(reverse("sepi:batch_start"), {"batch-purpose": PURPOSE}, follow=True)
    already = gettext("A batch check is already running. Wait until it finishes.")
    assert escape(already) in response.content.decode()
    assert BatchCheck.objects.count() == 1


def test_a_batch_lost_in_the_queue_finishes_as_failed(
    settings, client, django_capture_on_commit_callbacks, shared_set, coordinator
) -> None:
    settings.SEPI_BACKEND = "simulator"
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks():
        client.post(reverse("sepi:batch_start"), {"batch-purpose": PURPOSE})
    batch = BatchCheck.objects.get()
    Lookup.objects.update(requested_at=timezone.now() - dt.timedelta(hours=1))
    progress = client.get(reverse("sepi:batch_progress", args=[batch.pk]), **HX).content.decode()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE
    assert "hx-trigger" not in progress
    assert batch.lookups.filter(failure_reason=FailureReason.STALE).count() == 4


def test_no_form_for_a_person_without_pesel_or_a_closed_case(client, own, owner) -> None:
    from clients.services import client_close

    no_pesel = ClientFactory(owner=own, pesel="", no_pesel_reason="cudzoziemiec")
    closed = ClientFactory(owner=own, pesel=registered_pesel())
    client_close(client=closed, acting_user=owner)
    client.force_login(owner)
    for target in (no_pesel, closed):
        body = get_loaded(client, target.get_absolute_url())
        assert 'id="sepi-blocked"' in body and 'name="sepi-purpose"' not in body


def test_showing_a_saved_answer_on_the_client_page_is_audited(
    client, django_capture_on_commit_callbacks, sepi_http, own_client, owner, colleague
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        lookup = lookup_request(client=own_client, acting_user=owner, purpose=PURPOSE)
    client.force_login(colleague)
    body = get_loaded(client, own_client.get_absolute_url())
    assert 'id="sepi-status-value"' in body
    assert AuditEvent.objects.filter(
        actor=colleague, fields=["sepi"], reason=f"SEPI #{lookup.pk} shown"
    ).exists()


def test_while_asking_again_the_last_answer_stays_visible(
    client, django_capture_on_commit_callbacks, sepi_http, own_client, owner
) -> None:
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        start(client, own_client.pk)
    with django_capture_on_commit_callbacks():  # the second one stays queued
        response = start(client, own_client.pk, **{"sepi-refresh": "on"})
    body = response.content.decode()
    assert status_of(response) == "queued"
    assert 'id="sepi-progress"' in body and 'id="sepi-status-value"' in body
