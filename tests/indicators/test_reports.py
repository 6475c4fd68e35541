"""The annual report: drafted by one party, answered and approved by every party, then frozen."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from indicators.models import ReportStatus, Topic
from indicators.services import (
    assessment_save,
    report_approve,
    report_draft,
    reports_remind,
)

from .data import build_world, seed_hand_counted

pytestmark = pytest.mark.django_db


def answers(score: int) -> dict[str, dict[str, object]]:
    return {t: {"score": score, "comment": f"uwagi {t}"} for t in Topic.values}


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    w = build_world()
    seed_hand_counted(w)
    return w


def _answer(report, user, score: int) -> None:  # type: ignore[no-untyped-def]
    assessment_save(
        report=report, acting_user=user, answers=answers(score), what_worked="x", what_to_change="y"
    )


def test_the_report_is_frozen_when_every_party_has_approved(world) -> None:  # type: ignore[no-untyped-def]
    year = world.a_ngo.valid_from.year
    report = report_draft(agreement=world.a_ngo, year=year, acting_user=world.coordinator)
    _answer(report, world.coordinator, 4)
    report_approve(report=report, acting_user=world.coordinator)
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    with pytest.raises(ValidationError):  # the NGO has not answered yet
        report_approve(report=report, acting_user=world.ngo_coordinator)
    _answer(report, world.ngo_coordinator, 3)
    # Answering withdrew the approvals: every party approves the final wording.
    assert report.approvals.count() == 0
    report_approve(report=report, acting_user=world.coordinator)
    report_approve(report=report, acting_user=world.ngo_coordinator)
    report.refresh_from_db()
    assert report.status == ReportStatus.FROZEN and report.file and len(report.sha256) == 64
    stored = report.file.read()
    assert stored.startswith(b"%PDF")
    with pytest.raises(ValidationError):
        _answer(report, world.coordinator, 1)
    report.refresh_from_db()
    report.file.open("rb")
    assert report.file.read() == stored


def test_only_a_party_coordinator_drafts(world) -> None:  # type: ignore[no-untyped-def]
    year = world.a_ngo.valid_from.year
    with pytest.raises(PermissionDenied):
        report_draft(agreement=world.a_ngo, year=year, acting_user=world.pup_coordinator)
    with pytest.raises(PermissionDenied):
        report_draft(agreement=world.a_ngo, year=year, acting_user=world.worker)
    report_draft(agreement=world.a_ngo, year=year, acting_user=world.coordinator)
    with pytest.raises(ValidationError):
        report_draft(agreement=world.a_ngo, year=year, acting_user=world.ngo_coordinator)


def test_pages_draft_answer_approve_and_download(client, world) -> None:  # type: ignore[no-untyped-def]
    year = world.a_ngo.valid_from.year
    client.force_login(world.coordinator)
    page = client.get(f"/indicators/agreements/{world.a_ngo.pk}/reports/")
    assert page.status_code == 200 and 'name="form_token"' in page.content.decode()
    response = client.post(
        f"/indicators/agreements/{world.a_ngo.pk}/reports/", {"year": year, "form_token": "t1"}
    )
    assert response.status_code == 302
    again = client.post(
        f"/indicators/agreements/{world.a_ngo.pk}/reports/", {"year": year, "form_token": "t1"}
    )
    assert again.status_code == 302  # the double submit lands on the same report
    report = world.a_ngo.annual_reports.get()
    form = (
        {f"score_{t}": "4" for t in Topic.values}
        | {f"comment_{t}": "dobrze" for t in Topic.values}
        | {"what_worked": "spotkania", "what_to_change": "więcej szkoleń"}
    )
    assert client.post(f"/indicators/reports/{report.pk}/assessment/", form).status_code == 302
    assert client.post(f"/indicators/reports/{report.pk}/approve/").status_code == 302
    draft = client.get(f"/indicators/reports/{report.pk}/pdf/")
    assert draft["Content-Type"] == "application/pdf"
    client.force_login(world.ngo_coordinator)
    detail = client.get(f"/indicators/reports/{report.pk}/").content.decode()
    assert "więcej szkoleń" in detail
    assert client.post(f"/indicators/reports/{report.pk}/assessment/", form).status_code == 302
    client.force_login(world.coordinator)
    client.post(f"/indicators/reports/{report.pk}/approve/")
    client.force_login(world.ngo_coordinator)
    client.post(f"/indicators/reports/{report.pk}/approve/")
    report.refresh_from_db()
    assert report.is_frozen
    final = client.get(f"/indicators/reports/{report.pk}/pdf/")
    assert b"".join(final.streaming_content).startswith(b"%PDF")


def test_outsiders_and_other_parties_get_404(client, world) -> None:  # type: ignore[no-untyped-def]
    report = report_draft(
        agreement=world.a_ngo, year=world.a_ngo.valid_from.year, acting_user=world.coordinator
    )
    for user in (world.outsider, world.pup_coordinator):
        client.force_login(user)
        assert client.get(f"/indicators/reports/{report.pk}/").status_code == 404
        assert client.get(f"/indicators/reports/{report.pk}/pdf/").status_code == 404
        assert client.post(f"/indicators/reports/{report.pk}/approve/").status_code == 404
        assert client.get(f"/indicators/agreements/{world.a_ngo.pk}/reports/").status_code == 404


def test_the_change_since_the_last_report(world) -> None:  # type: ignore[no-untyped-def]
    from indicators.models import AnnualReport
    from indicators.reports import report_context

    year = world.a_ngo.valid_from.year
    report = report_draft(agreement=world.a_ngo, year=year, acting_user=world.coordinator)
    _answer(report, world.coordinator, 4)
    earlier = AnnualReport.objects.create(
        agreement=world.a_ngo,
        year=year - 1,
        drafted_by=world.coordinator,
        drafted_in=world.own,
        status=ReportStatus.FROZEN,
    )
    _answer_direct(earlier, world, 2)
    rows = report_context(report)["assessment"]["rows"]
    assert rows[0]["cells"][0]["score"] == 4 and rows[0]["cells"][0]["change"] == 2


def _answer_direct(report, world, score: int) -> None:  # type: ignore[no-untyped-def]
    from indicators.models import SelfAssessment

    SelfAssessment.objects.create(
        report=report, institution=world.own, answers=answers(score), answered_by=world.coordinator
    )


def test_january_reminder_names_the_year_just_ended(world) -> None:  # type: ignore[no-untyped-def]
    start = world.a_ngo.valid_from
    january = dt.date(start.year + 1, 1, 12)
    from django.test import TestCase

    from notifications.models import Notice

    assert reports_remind(today=january.replace(month=2)) == 0
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert reports_remind(today=january) >= 1
    notice = Notice.objects.filter(kind="indicators.report_due").first()
    assert notice is not None and str(start.year) in notice.text
    assert (
        mail.outbox and str(start.year) not in mail.outbox[0].subject
    )  # e-mail says what, not which
