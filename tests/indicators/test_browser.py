"""In the browser: a coordinator opens the indicators, changes the period,
downloads a table as CSV and drafts the annual report on an agreement; the
partner's coordinator answers and approves; the report is kept as a PDF."""

from __future__ import annotations

from pathlib import Path

import pytest

from indicators.models import AnnualReport, Topic

from ..browser import axe_violations, describe, log_in, log_out, screenshot
from ..pdfs import pdf_text, pdf_to_png
from .data import access_requests, at, build_world, seed_hand_counted

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_violations(page) -> None:  # type: ignore[no-untyped-def]
    violations = axe_violations(page)
    assert not violations, describe(violations)


def _assess(page, score: str) -> None:  # type: ignore[no-untyped-def]
    for topic in Topic.values:
        page.locator(f"#id_score_{topic}").select_option(score)
        page.locator(f"#id_comment_{topic}").fill("Działa, do poprawy terminy")
    page.locator("#id_what_worked").fill("Wspólne spotkania co kwartał")
    page.locator("#id_what_to_change").fill("Szybsze odpowiedzi na skierowania")
    page.locator("#submit").click()


def test_dashboard_csv_and_the_annual_report(page, live_server) -> None:  # type: ignore[no-untyped-def]
    w = build_world()
    seed_hand_counted(w)
    access_requests(w, at(w.year, 5, 1), "granted", 7)
    page.set_viewport_size({"width": 1366, "height": 768})

    log_in(page, live_server, w.coordinator.username)
    page.goto(f"{live_server.url}/indicators/")
    assert page.locator("#chart-referrals").is_visible()
    page.locator("#id_p").select_option(f"{w.year}-Q1")
    page.locator("#period-picker button[type=submit]").click()
    page.wait_for_url(f"**p={w.year}-Q1**")
    assert page.locator("#table-referrals tbody tr").first.inner_text().split("\t")[1:] == [
        "3",
        "1",
    ]
    screenshot(page, "indicators-dashboard")
    _no_violations(page)
    with page.expect_download() as download:
        page.locator("#csv-all").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert text.count("\n") > 20

    page.goto(f"{live_server.url}/indicators/?scope=agreement-{w.a_ngo.pk}&p={w.year}")
    assert "<5" in page.locator("#table-referrals").inner_text()
    _no_violations(page)
    page.goto(f"{live_server.url}/indicators/agreements/{w.a_ngo.pk}/reports/")
    _no_violations(page)
    page.locator("#submit").click()
    page.wait_for_url("**/assessment/")
    _no_violations(page)
    _assess(page, "4")
    report = AnnualReport.objects.get(agreement=w.a_ngo)
    page.wait_for_url(f"**/indicators/reports/{report.pk}/")
    log_out(page)

    log_in(page, live_server, w.ngo_coordinator.username)
    page.goto(f"{live_server.url}/indicators/reports/{report.pk}/assessment/")
    _assess(page, "3")
    page.wait_for_url(f"**/indicators/reports/{report.pk}/")
    page.locator("#approve").click()
    page.wait_for_url(f"**/indicators/reports/{report.pk}/")
    log_out(page)

    log_in(page, live_server, w.coordinator.username)
    page.goto(f"{live_server.url}/indicators/reports/{report.pk}/")
    page.locator("#approve").click()
    page.wait_for_url(f"**/indicators/reports/{report.pk}/")
    report.refresh_from_db()
    assert report.is_frozen
    assert page.locator("#approve").count() == 0
    screenshot(page, "indicators-report")
    _no_violations(page)
    # The kept PDF, looked at as a picture (its first pages).
    report.file.open("rb")
    data = report.file.read()
    assert "Sprawozdanie z realizacji porozumienia" in pdf_text(data)
    pdf_to_png(data, "indicators-report-pdf")
