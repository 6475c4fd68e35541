"""The CBOP import: served over a real socket, idempotent, bad records rejected
with their reason, offers gone from the feed expired and off the boards."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from cooperation.permissions import visible
from joboffers.imports import cbop_import, cbop_import_url
from joboffers.models import ImportRun, ImportStatus, JobOffer, OfferKind, OfferStatus
from joboffers.services import offer_update

FIXTURE = Path(__file__).parent / "fixtures" / "cbop_offers.json"
# The fixture's dates are written as seen on this day; they are moved to today when served.
FIXTURE_DAY = dt.date(2026, 11, 28)
_DATE = re.compile(r"\b(\d{2})\.(\d{2})\.(\d{4})\b")


def feed_text(path: Path = FIXTURE) -> str:
    shift = timezone.localdate() - FIXTURE_DAY

    def moved(match: re.Match) -> str:
        day = dt.date(int(match[3]), int(match[2]), int(match[1])) + shift
        return day.strftime("%d.%m.%Y")

    return _DATE.sub(moved, path.read_text(encoding="utf-8"))


def feed_records() -> list[dict]:
    return json.loads(feed_text())["payload"]["ofertyPracyPage"]["content"]


class _Handler(BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, bytes, float]] = {}

    def do_GET(self) -> None:
        status, body, delay = self.routes.get(self.path, (404, b"{}", 0.0))
        if delay:
            time.sleep(delay)
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:  # keep the test output quiet
        pass


@pytest.fixture
def feed_server() -> Iterator[SimpleNamespace]:
    """A real HTTP server on 127.0.0.1 serving whatever a test puts in `routes`."""
    routes: dict[str, tuple[int, bytes, float]] = {}
    handler = type("Handler", (_Handler,), {"routes": routes})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"

    def serve(path: str, body: str | bytes, status: int = 200, delay: float = 0.0) -> str:
        routes[path] = (status, body.encode() if isinstance(body, str) else body, delay)
        return base + path

    yield SimpleNamespace(serve=serve, base=base)
    server.shutdown()
    server.server_close()


def _import(office, feed_server, body=None, path="/oferty.json"):
    url = feed_server.serve(path, feed_text() if body is None else body)
    return cbop_import_url(institution=office, url=url)


def _state(office) -> list[tuple]:
    return list(
        JobOffer.objects.filter(institution=office)
        .order_by("pk")
        .values_list("pk", "external_id", "status", "updated_at", "position")
    )


def test_the_feed_is_read_over_http_and_bad_records_are_reported(
    own, office, covered, owner, feed_server
) -> None:
    run = _import(office, feed_server)

    assert run.status == ImportStatus.DONE and run.received == 8
    assert (run.created, run.updated, run.unchanged, run.expired) == (3, 0, 0, 0)
    reasons = {r["id"]: r["reason"] for r in run.rejected}
    assert [r["index"] for r in run.rejected] == [4, 5, 6, 7, 8]
    assert "dataWaznOd" in reasons["StPr/26/0104"]
    assert "stanowisko" in reasons["StPr/26/0105"]
    assert "KOSMICZNA" in reasons["StPr/26/0106"]
    assert "places_disabled" in reasons["StPr/26/0107"]
    assert "twice" in reasons["StPr/26/0101"]
    # The good records became offers on the partner board.
    assert visible(JobOffer, owner).count() == 3


def test_imported_text_is_kept_exactly_as_received(own, office, covered, feed_server) -> None:
    _import(office, feed_server)
    welder = JobOffer.objects.get(external_id="StPr/26/0101")
    record = feed_records()[0]
    assert welder.position == "Spawacz  MAG (135) – zmiana nocna"
    assert welder.duties == record["zakresObowiazkow"]
    assert welder.requirements == "Uprawnienia spawalnicze MAG 135\nDoświadczenie min. 1 rok"
    assert welder.pay_text == "5 500,00 - 6 200,00 PLN brutto"
    assert welder.contract_type == "Umowa o pracę na czas określony"
    assert welder.occupation_code == "721208" and welder.kind == OfferKind.JOB
    assert welder.source_data == record and welder.is_imported
    assert welder.status == OfferStatus.PUBLISHED

    intern = JobOffer.objects.get(external_id="20260102")
    assert intern.kind == OfferKind.INTERNSHIP
    assert (intern.workplace_municipality, intern.workplace_county) == ("Suchedniów", "skarżyski")
    assert intern.employer_hidden and not intern.employer_name
    assert (intern.places, intern.places_disabled) == (1, 1)

    cleaning = JobOffer.objects.get(external_id="StPr/26/0103")
    assert cleaning.kind == OfferKind.SOCIALLY_USEFUL and cleaning.places == 4
    assert str(cleaning.pay_min) == "4806.00" and cleaning.pay_display == "od 4\u00a0806 zł brutto"
    assert cleaning.contact_phone == office.phone  # none in the record: the office's


def test_importing_twice_changes_nothing(own, office, covered, feed_server) -> None:
    from cooperation.models import AuditEvent
    from joboffers.models import Publication

    _import(office, feed_server)
    before = (_state(office), Publication.objects.count(), AuditEvent.objects.count())

    second = _import(office, feed_server)

    assert (second.created, second.updated, second.unchanged, second.expired) == (0, 0, 3, 0)
    assert len(second.rejected) == 5
    after = (_state(office), Publication.objects.count(), AuditEvent.objects.count() - 1)
    assert after == before  # only the run's own audit row is new


def test_a_changed_record_is_updated_in_place(own, office, covered, feed_server) -> None:
    _import(office, feed_server)
    records = feed_records()
    records[2]["stanowisko"] = "Pracownik porządkowy – parki"
    run = _import(office, feed_server, json.dumps(records))
    assert (run.created, run.updated) == (0, 1)
    offer = JobOffer.objects.get(external_id="StPr/26/0103")
    assert offer.position == "Pracownik porządkowy – parki"
    assert offer.source_data["stanowisko"] == "Pracownik porządkowy – parki"


def test_offers_missing_from_the_feed_expire_and_leave_the_board(
    own, office, covered, owner, feed_server
) -> None:
    _import(office, feed_server)
    records = feed_records()
    records = [r for r in records if r["id"] != "StPr/26/0103"]
    # Still in the feed but broken this time: rejected, and not expired.
    records[1]["dataWaznDo"] = "jutro"

    run = _import(office, feed_server, json.dumps(records))

    assert run.expired == 1
    gone = JobOffer.objects.get(external_id="StPr/26/0103")
    assert gone.status == OfferStatus.EXPIRED
    assert not gone.publications.filter(ended_at__isnull=True).exists()
    assert JobOffer.objects.get(external_id="20260102").status == OfferStatus.PUBLISHED
    assert set(visible(JobOffer, owner).values_list("external_id", flat=True)) == {
        "StPr/26/0101",
        "20260102",
    }


def test_an_offer_back_in_the_feed_is_published_again(own, office, covered, feed_server) -> None:
    _import(office, feed_server)
    records = feed_records()
    _import(office, feed_server, json.dumps([r for r in records if r["id"] != "StPr/26/0103"]))
    run = _import(office, feed_server, json.dumps(records))
    offer = JobOffer.objects.get(external_id="StPr/26/0103")
    assert run.updated == 1 and offer.status == OfferStatus.PUBLISHED
    assert offer.publications.filter(ended_at__isnull=True).count() == 1


def test_a_feed_with_only_bad_records_expires_nothing(own, office, covered, feed_server) -> None:
    _import(office, feed_server)
    run = _import(office, feed_server, json.dumps([{"id": "x"}, {"stanowisko": "bez id"}]))
    assert run.status == ImportStatus.DONE and len(run.rejected) == 2 and run.expired == 0
    assert JobOffer.objects.filter(status=OfferStatus.PUBLISHED).count() == 3


def test_an_empty_feed_means_no_offers_are_left(own, office, covered, feed_server) -> None:
    _import(office, feed_server)
    run = _import(office, feed_server, "[]")
    assert run.expired == 3 and not JobOffer.objects.filter(status=OfferStatus.PUBLISHED).exists()


def test_an_unreadable_feed_fails_and_changes_nothing(own, office, covered, feed_server) -> None:
    _import(office, feed_server)
    before = _state(office)
    for body in ("<html>przerwa techniczna</html>", '{"payload": {}}', b"\xff\xfe{"):
        run = _import(office, feed_server, body)
        assert run.status == ImportStatus.FAILED and run.error
    assert _state(office) == before


def test_a_missing_address_is_a_failed_run_without_retry(office, feed_server) -> None:
    run = cbop_import_url(institution=office, url=feed_server.base + "/nie-ma.json")
    assert run.status == ImportStatus.FAILED and "404" in run.error


def test_a_server_error_is_recorded_and_raised_for_the_task_to_retry(office, feed_server) -> None:
    url = feed_server.serve("/awaria.json", "{}", status=503)
    with pytest.raises(OSError):
        cbop_import_url(institution=office, url=url)
    assert ImportRun.objects.get().status == ImportStatus.FAILED


def test_a_slow_server_hits_the_timeout(settings, office, feed_server) -> None:
    settings.CBOP_TIMEOUT = 0.3
    url = feed_server.serve("/wolno.json", "[]", delay=1.5)
    started = time.monotonic()
    with pytest.raises(OSError):
        cbop_import_url(institution=office, url=url)
    assert time.monotonic() - started < 1.4


def test_a_feed_too_large_is_refused(settings, office, feed_server) -> None:
    settings.CBOP_MAX_BYTES = 100
    run = _import(office, feed_server)
    assert run.status == ImportStatus.FAILED and "larger" in run.error


def test_only_http_addresses_are_read(office) -> None:
    run = cbop_import_url(institution=office, url="file:///etc/passwd")
    assert run.status == ImportStatus.FAILED and not JobOffer.objects.exists()


def test_offers_are_imported_for_a_labour_office_only(own) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        cbop_import(institution=own, data="[]", source="x")


def test_imported_offers_are_not_edited_here(office, advisor, feed_server) -> None:
    from django.core.exceptions import ValidationError

    _import(office, feed_server)
    offer = JobOffer.objects.get(external_id="StPr/26/0101")
    with pytest.raises(ValidationError):
        offer_update(offer=offer, acting_user=advisor, position="Zmienione")


def test_the_source_is_named_where_imported_text_is_shown(
    client, own, office, covered, owner, feed_server
) -> None:
    from joboffers.models import Board

    _import(office, feed_server)
    offer = JobOffer.objects.get(external_id="StPr/26/0101")
    client.force_login(owner)
    for url in (
        reverse("joboffers:detail", args=[offer.pk]),
        reverse("joboffers:board", args=[Board.objects.get(institution=own).pk]),
    ):
        body = client.get(url).content.decode()
        assert "Źródło: Centralna Baza Ofert Pracy" in body
        assert "Spawacz  MAG (135) – zmiana nocna" in body


def test_the_command_imports_a_file_and_lists_rejections(office, tmp_path) -> None:
    path = tmp_path / "oferty.json"
    path.write_text(feed_text(), encoding="utf-8")
    out = io.StringIO()
    call_command("import_cbop", "--institution", office.short_name, "--file", str(path), stdout=out)
    text = out.getvalue()
    assert "3 new" in text and "5 rejected" in text
    assert "StPr/26/0106" in text and "KOSMICZNA" in text
    out = io.StringIO()
    call_command("import_cbop", "--institution", office.short_name, "--file", str(path), stdout=out)
    assert "0 new, 0 changed, 3 unchanged" in out.getvalue()


def test_the_command_reads_a_url_and_fails_loudly(office, feed_server) -> None:
    url = feed_server.serve("/oferty.json", feed_text())
    out = io.StringIO()
    call_command("import_cbop", "--institution", office.short_name, "--url", url, stdout=out)
    assert "3 new" in out.getvalue()
    with pytest.raises(CommandError):
        call_command(
            "import_cbop",
            "--institution",
            office.short_name,
            "--url",
            feed_server.base + "/brak.json",
            stdout=io.StringIO(),
        )
    with pytest.raises(CommandError):
        call_command("import_cbop", "--institution", "nie-ma-takiego", "--url", url)


def test_the_command_without_arguments_runs_the_configured_feeds(
    settings, office, feed_server
) -> None:
    settings.CBOP_FEEDS = {office.short_name: feed_server.serve("/o.json", feed_text())}
    out = io.StringIO()
    call_command("import_cbop", stdout=out)
    assert "3 new" in out.getvalue()
    settings.CBOP_FEEDS = {}
    with pytest.raises(CommandError):
        call_command("import_cbop", stdout=io.StringIO())


def test_the_beat_task_imports_every_configured_feed(settings, office, feed_server) -> None:
    from joboffers.tasks import cbop_import_all

    settings.CBOP_FEEDS = {
        office.short_name: feed_server.serve("/o.json", feed_text()),
        "pup-nieznany": feed_server.base + "/x.json",
    }
    assert cbop_import_all.delay().get() == 1
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.DONE and run.created == 3 and run.triggered_by is None


def test_an_advisor_uploads_a_file_and_reads_the_report(client, office, advisor) -> None:
    client.force_login(advisor)
    upload = SimpleUploadedFile("oferty.json", feed_text().encode(), "application/json")
    response = client.post(reverse("joboffers:imports"), {"file": upload})
    run = ImportRun.objects.get()
    assert response["Location"] == run.get_absolute_url()
    assert run.triggered_by == advisor and run.created == 3
    body = client.get(run.get_absolute_url()).content.decode()
    assert "StPr/26/0106" in body and "KOSMICZNA" in body
    listing = client.get(reverse("joboffers:imports")).content.decode()
    assert "oferty.json" in listing


def test_the_import_page_refuses_other_files(client, office, advisor) -> None:
    client.force_login(advisor)
    upload = SimpleUploadedFile("oferty.csv", b"a;b", "text/csv")
    response = client.post(reverse("joboffers:imports"), {"file": upload})
    assert response.status_code == 200 and not ImportRun.objects.exists()


def test_the_import_pages_are_for_labour_offices(client, own, coordinator) -> None:
    client.force_login(coordinator)
    assert client.get(reverse("joboffers:imports")).status_code == 403


def test_a_malformed_feed_setting_stops_the_start() -> None:
    from cooperation.settings import _cbop_feeds

    assert _cbop_feeds("pup-a=https://x.example/a.json pup-b=http://y/b") == {
        "pup-a": "https://x.example/a.json",
        "pup-b": "http://y/b",
    }
    for bad in ("pup-a", "pup-a=ftp://x", "=https://x"):
        with pytest.raises(ImproperlyConfigured):
            _cbop_feeds(bad)


def test_imported_offers_can_wait_as_drafts(settings, own, office, covered, feed_server) -> None:
    settings.CBOP_PUBLISH_IMPORTED = False
    _import(office, feed_server)
    assert set(JobOffer.objects.values_list("status", flat=True)) == {OfferStatus.DRAFT}
    assert not JobOffer.objects.filter(publications__isnull=False).exists()


def test_an_advisor_starts_the_configured_feed_from_the_page(
    settings, client, office, advisor, feed_server, django_capture_on_commit_callbacks
) -> None:
    settings.CBOP_FEEDS = {office.short_name: feed_server.serve("/o.json", feed_text())}
    client.force_login(advisor)
    assert (
        settings.CBOP_FEEDS[office.short_name]
        in client.get(reverse("joboffers:imports")).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("joboffers:imports"), {"action": "fetch"})
    run = ImportRun.objects.get()
    assert run.created == 3 and run.triggered_by == advisor
