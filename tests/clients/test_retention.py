"""Retention: each record type keeps its personal data for its own period; the
weekly pass reports what is due (a dry run until RETENTION_APPLY is on), then
anonymises or erases it, leaving the rows that statistics count.

The cast, on top of the standing one (`own` MOPS, `partner` PUP, `foreign` MOPS):
- `old`: a client of `own` closed 11 years ago, with a plan, a note, a document
  and a consent scan — past the 10 years;
- `recent`: a client of `own` closed 2 years ago, with a document;
- `active`: an open client of `own` with a consent that ended 4 years ago, SEPI
  lookups from 2 years ago and today, and referrals to an NGO: one declined
  3 years ago, one declined today, one still open;
- `far`: a client of `foreign` closed 12 years ago.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from io import StringIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from agreements.models import Scope
from clients.models import CaseNote, Client, ClientDocument, ClientStatus, Consent, LegalBasis
from clients.retention import retention_apply, retention_plan, retention_rule
from clients.services import client_anonymise, client_close, consent_record, document_add, note_add
from clients.tasks import retention_weekly
from cooperation import hooks
from cooperation.models import AuditAction, AuditEvent, InstitutionKind, Role
from partners.models import Referral, ReferralEvent
from partners.services import referral_create, referral_decline, service_offer_create
from reintegration.models import Goal, ReintegrationPlan
from reintegration.services import goal_add, plan_create
from sepi.models import Lookup, LookupStatus, Purpose
from sepi.services import lookup_request

from ..factories import ClientFactory, InstitutionFactory, agreement_between, member
from ..notifications.kindcheck import collecting, told, words

TODAY = timezone.localdate()
NOW = timezone.now()
ROOT = Path(__file__).resolve().parents[2]


def years_ago(n: int) -> dt.date:
    return TODAY - relativedelta(years=n)


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 poufne", content_type="application/pdf")


def _everything() -> dict[str, object]:
    """Every row the pass could touch, as stored, and the size of the audit log."""
    models = (Client, ClientDocument, Consent, CaseNote, Goal, Lookup, Referral, ReferralEvent)
    state: dict[str, object] = {m.__name__: list(m.objects.order_by("pk").values()) for m in models}
    state["audit rows"] = AuditEvent.objects.count()
    return state


def _statistics() -> dict[str, Counter[object]]:
    return {
        "clients": Counter(Client.objects.values_list("owner_id", "status")),
        "plans": Counter(ReintegrationPlan.objects.values_list("status", flat=True)),
        "goals": Counter(Goal.objects.values_list("plan_id", flat=True)),
        "referrals": Counter(Referral.objects.values_list("status", "outcome")),
        "lookups": Counter(Lookup.objects.values_list("institution_id", "status", "purpose")),
        "consents": Counter(Consent.objects.values_list("client_id", "basis")),
    }


def _line(kind: str, n: int) -> str:
    rule = retention_rule(kind)
    assert rule is not None
    return gettext("%(label)s (kept for %(period)s, then %(action)s): %(n)d") % {
        "label": rule.label,
        "period": rule.period_text(),
        "action": rule.action,
        "n": n,
    }


def _lookup(client: Client, user: object, key: str, capture: object) -> Lookup:
    with capture(execute=True):  # type: ignore[operator]
        lookup = lookup_request(
            client=client,
            acting_user=user,  # type: ignore[arg-type]
            purpose=Purpose.BENEFIT_ELIGIBILITY,
            request_key=key,
            refresh=True,
        )
    lookup.refresh_from_db()
    assert lookup.status == LookupStatus.DONE and lookup.result
    return lookup


@pytest.fixture
def world(own, foreign, partner, owner, outsider, settings, django_capture_on_commit_callbacks):
    settings.SEPI_BACKEND = "simulator"
    ngo = InstitutionFactory(
        short_name="ngo-test", name="Fundacja Testowa", kind=InstitutionKind.NGO
    )
    staff = member(ngo, Role.PARTNER_STAFF, username="staff")
    agreement_between(own, ngo, [Scope.REFERRALS])
    agreement_between(own, partner, [Scope.SEPI])  # a MOPS asks SEPI only under one (gate 1)
    offer = service_offer_create(
        acting_user=staff,
        data={
            "name": "Poradnictwo dłużnicze",
            "category": "debt",
            "target_group": "Osoby zadłużone",
            "county_wide": True,
            "how_to_refer": "Dyżur we wtorki",
            "is_active": True,
        },
    )

    old = ClientFactory(owner=own, created_by=owner, last_name="Sekretna")
    plan = plan_create(acting_user=owner, client=old)
    goal_add(plan=plan, acting_user=owner, title="Pani Sekretna wraca do pracy")
    note_add(client=old, acting_user=owner, happened_on=TODAY, text="Sekretna", internal=False)
    document_add(
        client=old, acting_user=owner, kind="interview", title="Wywiad", file=pdf("sekretna.pdf")
    )
    consent_record(
        client=old,
        acting_user=owner,
        partner=partner,
        basis=LegalBasis.CONSENT,
        scopes=[Scope.CLIENT_RECORDS],
        given_on=TODAY,
        scan=pdf("zgoda-sekretna.pdf"),
    )
    client_close(client=old, acting_user=owner, closed_on=years_ago(11))

    recent = ClientFactory(owner=own, created_by=owner)
    document_add(
        client=recent, acting_user=owner, kind="decision", title="Decyzja", file=pdf("d.pdf")
    )
    client_close(client=recent, acting_user=owner, closed_on=years_ago(2))

    active = ClientFactory(owner=own, created_by=owner)
    ended_consent = consent_record(
        client=active,
        acting_user=owner,
        partner=partner,
        basis=LegalBasis.CONSENT,
        scopes=[Scope.CLIENT_RECORDS],
        given_on=years_ago(5),
        valid_until=years_ago(4),
        scan=pdf("zgoda.pdf"),
    )
    consent_record(
        client=active,
        acting_user=owner,
        partner=ngo,
        basis=LegalBasis.STATUTORY_TASK,
        scopes=[Scope.REFERRALS],
        given_on=TODAY,
    )
    old_lookup = _lookup(active, owner, "old", django_capture_on_commit_callbacks)
    Lookup.objects.filter(pk=old_lookup.pk).update(requested_at=NOW - relativedelta(years=2))
    new_lookup = _lookup(active, owner, "new", django_capture_on_commit_callbacks)
    referrals = []
    for needs in ("Długi u Sekretnego", "Długi", "Porada"):
        referrals.append(
            referral_create(
                acting_user=owner, client=active, service=offer, share=["phone"], needs=needs
            )
        )
        if needs != "Porada":  # one service takes one open referral at a time
            referral_decline(referral=referrals[-1], acting_user=staff, reason="Brak miejsc")
    Referral.objects.filter(pk=referrals[0].pk).update(closed_at=NOW - relativedelta(years=3))

    far = ClientFactory(owner=foreign, created_by=outsider)
    client_close(client=far, acting_user=outsider, closed_on=years_ago(12))
    return SimpleNamespace(
        ngo=ngo,
        old=old,
        recent=recent,
        active=active,
        far=far,
        ended_consent=ended_consent,
        old_lookup=old_lookup,
        new_lookup=new_lookup,
        referrals=referrals,
    )


DUE = {
    "client_documents": 1,
    "consent_scans": 1,
    "sepi_answers": 1,
    "referral_snapshots": 1,
    "closed_clients": 2,
}
# Every record type appears in the totals, with 0 when nothing is due
# (promotion cases: tests/promotion/test_retention.py).
TOTALS = DUE | {"promotion_cases": 0}


# --- the dry run -------------------------------------------------------------------


def test_a_dry_run_counts_what_is_due_and_changes_nothing(world, own, foreign) -> None:
    before = _everything()
    report = retention_plan()
    assert report.totals() == TOTALS
    lines = {line.kind: line for line in report.lines}
    assert lines["closed_clients"].ids == sorted([world.old.pk, world.far.pk])
    assert lines["client_documents"].ids == [world.old.documents.get().pk]
    assert lines["consent_scans"].ids == [world.ended_consent.pk]
    assert lines["sepi_answers"].ids == [world.old_lookup.pk]
    assert lines["referral_snapshots"].ids == [world.referrals[0].pk]
    assert report.counts_for(own.pk) == DUE | {"closed_clients": 1}
    assert report.counts_for(foreign.pk) == {"closed_clients": 1}
    assert report.counts_for(world.ngo.pk) == {"referral_snapshots": 1}
    assert not report.applied
    assert _everything() == before


# --- applying ------------------------------------------------------------------------


def test_applying_anonymises_only_closed_clients_past_retention(world) -> None:
    document = world.old.documents.get()
    report = retention_apply(report=retention_plan())
    assert report.applied and report.totals() == TOTALS
    assert not any(line.failed for line in report.lines)
    old, far = Client.objects.get(pk=world.old.pk), Client.objects.get(pk=world.far.pk)
    assert old.anonymised_at and far.anonymised_at
    assert old.pesel == "" and old.last_name != "Sekretna" and old.status == ClientStatus.CLOSED
    for client in (world.recent, world.active):
        stored = Client.objects.values().get(pk=client.pk)
        assert stored["anonymised_at"] is None and stored["last_name"] == client.last_name
    assert not default_storage.exists(document.file.name)
    assert not old.documents.exists()
    assert not CaseNote.objects.filter(text__contains="Sekretna").exists()
    assert not Goal.objects.filter(title__contains="Sekretna").exists()
    assert old.consents.get().scan == ""


def test_each_record_type_follows_its_own_period(world) -> None:
    scan_name = world.ended_consent.scan.name
    retention_apply(report=retention_plan())
    ended = Consent.objects.get(pk=world.ended_consent.pk)
    assert (ended.scan, ended.scan_filename) == ("", "")
    assert not default_storage.exists(scan_name)
    assert ended.valid_until == years_ago(4)  # the record of the legal basis stays
    old_lookup = Lookup.objects.get(pk=world.old_lookup.pk)
    assert (old_lookup.pesel, old_lookup.result, old_lookup.changes) == ("", None, [])
    assert old_lookup.status == LookupStatus.DONE and old_lookup.purpose == world.old_lookup.purpose
    assert Lookup.objects.get(pk=world.new_lookup.pk).result == world.new_lookup.result
    wiped, declined_today, still_open = (Referral.objects.get(pk=r.pk) for r in world.referrals)
    assert wiped.wiped_at and wiped.needs == "" and wiped.last_name != world.active.last_name
    assert not ReferralEvent.objects.filter(
        referral=wiped, comment__contains="Brak miejsc"
    ).exists()
    assert declined_today.wiped_at is None and declined_today.needs == "Długi"
    assert still_open.wiped_at is None and still_open.needs == "Porada"
    assert world.recent.documents.count() == 1


def test_documents_may_go_before_their_client(world, settings) -> None:
    settings.RETENTION = {**settings.RETENTION, "client_documents_years": 1}
    assert retention_plan().totals()["client_documents"] == 2
    retention_apply(report=retention_plan())
    recent = Client.objects.get(pk=world.recent.pk)
    assert not recent.documents.exists() and recent.anonymised_at is None


def test_statistics_stay_the_same(world) -> None:
    before = _statistics()
    retention_apply(report=retention_plan())
    assert _statistics() == before


def test_a_second_run_does_nothing(world) -> None:
    first = retention_plan()
    retention_apply(report=first)
    after = _everything()
    assert set(retention_plan().totals().values()) == {0}
    assert set(retention_apply(report=retention_plan()).totals().values()) == {0}
    # Even the stale first report finds each row already erased.
    assert set(retention_apply(report=first).totals().values()) == {0}
    assert _everything() == after


def test_the_pass_acts_as_the_system_in_each_institutions_audit_log(world, own, foreign) -> None:
    retention_apply(report=retention_plan())
    events = AuditEvent.objects.filter(reason="retention")
    assert events.count() == sum(DUE.values())
    assert not events.filter(actor__isnull=False).exists()
    clients = events.filter(content_type__model="client")
    assert dict(clients.values_list("object_id", "institution")) == {
        str(world.old.pk): own.pk,
        str(world.far.pk): foreign.pk,
    }


def test_by_hand_only_a_coordinator_of_the_owner_anonymises(world, owner, coordinator) -> None:
    message = gettext(
        "Only a coordinator or administrator of the owning institution may anonymise."
    )
    with pytest.raises(PermissionDenied, match=message):
        client_anonymise(client=world.old, acting_user=owner)
    client_anonymise(client=world.old, acting_user=coordinator)
    event = AuditEvent.objects.get(
        content_type__model="client", object_id=str(world.old.pk), action=AuditAction.DELETE
    )
    assert (event.actor, event.reason) == (coordinator, "anonymisation")
    assert retention_plan().totals()["closed_clients"] == 1  # only `far` is left


def test_a_row_that_fails_is_listed_and_the_rest_go_on(world, settings) -> None:
    from clients import retention

    def broken(document: ClientDocument, today: dt.date) -> None:
        raise OSError("storage unavailable")

    rule = retention.retention_rule("client_documents")
    document = world.old.documents.get()
    # A later rule of the same kind replaces the registered one.
    with hooks.register_temporarily("retention_rules", replace(rule, erase=broken)):
        report = retention_apply(report=retention_plan())
        (failed,) = [line for line in report.lines if line.failed]
        assert (failed.kind, failed.failed, failed.count) == ("client_documents", (document.pk,), 0)
        # The rest went on: the client's anonymisation deleted the document after all.
        assert report.totals() == TOTALS | {"client_documents": 0}
        assert not ClientDocument.objects.filter(pk=document.pk).exists()
        # The command says so, and exits with an error.
        settings.RETENTION = {**settings.RETENTION, "client_documents_years": 1}
        message = gettext("Some records could not be erased; see the log.")
        with pytest.raises(CommandError, match=message):
            _command("--apply", "--no-input")
        assert world.recent.documents.exists()


# --- the weekly task -----------------------------------------------------------------


def test_the_weekly_task_only_reports_by_default(
    world, own, owner, coordinator, outsider, django_capture_on_commit_callbacks
) -> None:
    ngo_coordinator = member(world.ngo, Role.COORDINATOR)
    before = _everything()
    with collecting(django_capture_on_commit_callbacks) as events:
        assert retention_weekly() == TOTALS
    assert _everything() == before

    def to(user):
        (event,) = [e for e in events if user in told(e)]
        return event

    reports = [e for e in events if e.kind == "clients.retention_report"]
    assert len(reports) == len(events) == 3  # own, foreign, the NGO: one report each
    ours = to(coordinator)
    assert owner not in told(ours)  # coordinators and administrators only
    assert ours.target_id == own.pk and ours.data["applied"] is False
    said = words(ours)
    assert (
        ngettext(
            "Retention: %(n)d record due for anonymisation or erasure",
            "Retention: %(n)d records due for anonymisation or erasure",
            5,
        )
        % {"n": 5}
        in said
    )
    for kind in DUE:
        assert _line(kind, 1) in said
    theirs = words(to(outsider))
    assert _line("closed_clients", 1) in theirs
    assert gettext("SEPI answers") not in theirs and own.name not in theirs
    ngo = words(to(ngo_coordinator))
    assert _line("referral_snapshots", 1) in ngo and gettext("Closed clients") not in ngo
    for event in reports:  # counts only: no names, no PESEL
        assert "Sekretna" not in words(event) and world.active.pesel not in words(event)


def test_the_weekly_task_applies_when_retention_apply_is_on(
    world, own, foreign, outsider, settings, django_capture_on_commit_callbacks
) -> None:
    settings.RETENTION_APPLY = True
    with collecting(django_capture_on_commit_callbacks) as events:
        assert retention_weekly() == TOTALS
    assert Client.objects.get(pk=world.old.pk).anonymised_at
    (theirs,) = [e for e in events if told(e) == {outsider}]
    assert theirs.target_id == foreign.pk and theirs.data["applied"] is True
    assert ngettext(
        "Retention: %(n)d record anonymised or erased",
        "Retention: %(n)d records anonymised or erased",
        1,
    ) % {"n": 1} in words(theirs)
    with collecting(django_capture_on_commit_callbacks) as events:
        assert set(retention_weekly().values()) == {0}
    assert events == []  # nothing due, nobody bothered


def test_the_pass_runs_early_every_monday(settings) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["clients-retention"]
    assert entry["task"] == retention_weekly.name
    assert (entry["schedule"].day_of_week, entry["schedule"].hour) == ({1}, {2})


# --- the command ---------------------------------------------------------------------


def _command(*args: str) -> str:
    out = StringIO()
    call_command("retention", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_the_dry_run_as_a_table(world) -> None:
    before = _everything()
    out = _command("--dry-run")
    assert (
        gettext("Retention on %(date)s: dry run, nothing was changed.")
        % {"date": TODAY.isoformat()}
        in out
    )
    rows = {line.split("  ")[0]: line.split()[-1] for line in out.splitlines() if "  " in line}
    assert rows[gettext("Closed clients")] == "2"
    assert rows[gettext("SEPI answers")] == "1"
    assert "mops-test" in out and "mops-obce" in out
    assert (
        gettext("The audit log is kept for %(period)s and never deleted by the application.")
        % {"period": ngettext("%(n)d year", "%(n)d years", 10) % {"n": 10}}
        in out
    )
    assert "Sekretna" not in out
    assert _everything() == before


def test_the_command_prints_ids_and_counts_as_json(world) -> None:
    data = json.loads(_command("--json"))
    assert data["applied"] is False and data["date"] == TODAY.isoformat()
    kinds = {entry["kind"]: entry for entry in data["record_types"]}
    assert {kind: entry["count"] for kind, entry in kinds.items()} == TOTALS
    assert kinds["closed_clients"]["ids"] == sorted([world.old.pk, world.far.pk])
    assert kinds["closed_clients"]["by_institution"] == {"mops-obce": 1, "mops-test": 1}
    assert kinds["referral_snapshots"]["by_institution"] == {"mops-test": 1, "ngo-test": 1}
    assert kinds["sepi_answers"]["period"] == {"months": 12}
    assert data["audit_log"] == {"kept_years": 10, "deleted": False}


def test_the_command_applies_only_when_asked_and_confirmed(world, monkeypatch) -> None:
    before = _everything()
    monkeypatch.setattr("builtins.input", lambda: "no")
    with pytest.raises(CommandError, match=gettext("Nothing was changed.")):
        call_command("retention", "--apply", stdout=StringIO(), stderr=StringIO())
    assert _everything() == before
    out = _command("--apply", "--no-input")
    assert gettext("Retention on %(date)s: applied.") % {"date": TODAY.isoformat()} in out
    assert Client.objects.get(pk=world.old.pk).anonymised_at
    assert set(retention_plan().totals().values()) == {0}


# --- the settings --------------------------------------------------------------------


def test_a_retention_period_must_be_a_whole_number_of_at_least_one(monkeypatch) -> None:
    from cooperation.settings import _retention_periods

    periods = {"sepi_answers_months": ("RETENTION_SEPI_ANSWERS_MONTHS", 12)}
    assert _retention_periods(periods) == {"sepi_answers_months": 12}
    for bad in ("-1", "0", "12.5", "rok"):
        monkeypatch.setenv("RETENTION_SEPI_ANSWERS_MONTHS", bad)
        with pytest.raises(ImproperlyConfigured, match="RETENTION_SEPI_ANSWERS_MONTHS"):
            _retention_periods(periods)


def test_documents_kept_longer_than_their_client_stop_the_start() -> None:
    env = {"PATH": "/usr/bin:/bin", "RETENTION_CLIENT_DOCUMENTS_YEARS": "11"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "RETENTION_CLIENT_DOCUMENTS_YEARS cannot be longer" in result.stderr
