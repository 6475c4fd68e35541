"""Noticeboard sheets and the weekly digest: they render, in Polish, in large
type, with tear-off slips, and long text never runs off the paper."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from joboffers.models import Board, BoardPrint, JobOffer, PrintKind
from joboffers.printing import TYPE_SIZES, digest_pdf, sheet_document, sheets_pdf
from joboffers.services import board_prints_generate, offer_fill, week_start

from ..pdfs import pdf_pages, pdf_text, pdf_to_png

MM = 72 / 25.4  # PDF points per millimetre
A4 = (595.3, 841.9)
SLIPS_TOP = 57 * MM  # the first page's bottom margin, where the slips are
POLISH = "Zażółć gęślą jaźń – ĄĘŚĆŻŹÓŁŃ"
LONG_WORD = "https://oferty.praca.gov.pl/portal/oferta/StPr-26-0101-" + "bardzo-dlugi-adres" * 5


def _runs(pdf: bytes) -> list[list[tuple[float, float, float, str]]]:
    """Per page: (x, y, size in pt, text) of every text run, in PDF points from the bottom left."""
    pages = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        runs: list[tuple[float, float, float, str]] = []

        def visit(text, cm, tm, font_dict, font_size, runs=runs):
            if text.strip():
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                scale = (cm[0] ** 2 + cm[1] ** 2) ** 0.5 * abs(tm[0] or tm[1])
                runs.append((x, y, font_size * scale, text.strip()))

        page.extract_text(visitor_text=visit)
        pages.append(runs)
    return pages


def _normal(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def _duties(length: int) -> str:
    lines = [
        "przyjmowanie i wydawanie towaru z magazynu zgodnie z dokumentami WZ i PZ",
        "obsługa wózka widłowego i paleciaka elektrycznego",
        "kompletowanie zamówień dla sklepów sieci w województwie świętokrzyskim",
        "dbanie o porządek, bezpieczeństwo i higienę pracy na hali magazynowej",
        "udział w inwentaryzacjach okresowych; zgłaszanie braków kierownikowi zmiany",
    ]
    tail = "OSTATNI PUNKT LISTY OBOWIĄZKÓW"
    text = "\n".join(f"{i + 1}. {lines[i % len(lines)]}" for i in range(length // 40))
    return f"{text[: length - len(tail) - 1].rstrip()}\n{tail}".rjust(length)


def _assert_inside_the_paper(document) -> None:
    """No laid-out text box runs past the page, and page content stays inside its margins."""
    from weasyprint.formatting_structure import boxes

    for page in document.pages:
        page_box = page._page_box
        right_edge = page_box.margin_width() - page_box.margin_right
        for child in page_box.children:
            in_margin = isinstance(child, boxes.MarginBox)
            for box in child.descendants():
                if not isinstance(box, boxes.TextBox):
                    continue
                right = box.position_x + box.margin_width()
                assert box.position_x >= 0 and right <= page_box.margin_width() + 0.5, box.text
                if not in_margin:
                    assert right <= right_edge + 0.5, f"{box.text[:40]!r} runs into the margin"


def test_a_sheet_is_one_a4_page_in_large_type_with_slips(own, office, covered, make_offer) -> None:
    offer = make_offer(publish=True, duties=f"przyjmowanie towaru\n{POLISH}", places_disabled=1)

    pdf = sheets_pdf([offer])

    assert pdf_pages(pdf) == 1
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert (round(float(page.mediabox.width), 1), round(float(page.mediabox.height), 1)) == A4
    text = _normal(pdf_text(pdf))
    for expected in (
        "OFERTA PRACY",
        offer.position,
        "Skarżysko-Kamienna",
        "4 806–5 600 zł brutto",
        "umowa o pracę na czas określony, pełny etat",
        "w tym 1 dla osób z niepełnosprawnościami",
        "Jak aplikować?",
        "tel. 41 251 29 50",
        POLISH,
        "Oderwij kartkę",
    ):
        assert expected in text, expected
    runs = _runs(pdf)[0]
    biggest = max(runs, key=lambda r: r[2])
    assert offer.position.startswith(biggest[3]) and biggest[2] >= 36
    facts = [r for r in runs if r[3].startswith("Skarżysko-Kamienna")]
    assert facts and facts[0][2] >= 20
    slips = [r for r in runs if r[3] == f"nr {offer.number}" and r[1] < SLIPS_TOP]
    assert len(slips) == 9
    pdf_to_png(pdf, "joboffers-sheet")


def test_a_2000_character_duty_list_stays_on_the_paper(own, office, covered, make_offer) -> None:
    duties = _duties(2000)
    assert len(duties) == 2000
    offer = make_offer(
        duties=duties,
        requirements=f"prawo jazdy kat. B\n{LONG_WORD}",
        requirements_welcome=POLISH,
        position="Magazynier – operator wózka widłowego z uprawnieniami UDT, praca zmianowa",
        employer_name="Przedsiębiorstwo Handlowo-Usługowe „Świętokrzyskie Hurtownie Spożywcze” sp. z o.o.",
    )

    document = sheet_document(offer)
    pdf = sheets_pdf([offer])

    assert pdf_pages(pdf) <= 2
    _assert_inside_the_paper(document)
    text = _normal(pdf_text(pdf))
    assert "OSTATNI PUNKT LISTY OBOWIĄZKÓW" in text and POLISH in text
    assert "Jak aplikować?" in text
    pages = _runs(pdf)
    for number, runs in enumerate(pages):
        for x, y, _size, run in runs:
            assert 0 <= x <= A4[0] and 0 <= y <= A4[1], run
            # Nothing but the slips below the slips' cut line on the first page.
            if number == 0 and y < SLIPS_TOP:
                assert run.startswith(("nr ", "tel. ", "Magazynier", "✂")), run
    slips_on = [sum(1 for r in runs if r[3] == f"nr {offer.number}") for runs in pages]
    assert slips_on[0] >= 9 and all(n == 0 for n in slips_on[1:])
    pdf_to_png(pdf, "joboffers-sheet-long")


def test_a_longer_offer_shrinks_its_type_before_it_spills(own, office, covered, make_offer) -> None:
    short = make_offer(duties="obsługa klienta")
    medium = make_offer(duties=_duties(700))
    assert pdf_pages(sheets_pdf([medium])) == 1
    runs = _runs(sheets_pdf([short, medium]))
    duty_size = [
        next(r[2] for r in page if r[3].startswith(("obsługa klienta", "1. przyjmowanie")))
        for page in runs
    ]
    assert duty_size[0] > duty_size[1] >= TYPE_SIZES[-1].body - 0.1


def test_a_bundle_has_one_sheet_per_offer(own, office, covered, make_offer) -> None:
    offers = [make_offer(position=f"Stanowisko {i}") for i in range(3)]
    pdf = sheets_pdf(offers)
    assert pdf_pages(pdf) == 3
    texts = [_normal(" ".join(r[3] for r in page)) for page in _runs(pdf)]
    assert [f"Stanowisko {i}" in texts[i] for i in range(3)] == [True, True, True]


def test_a_hidden_employer_is_not_printed(own, office, covered, make_offer) -> None:
    offer = make_offer(employer_hidden=True)
    text = _normal(pdf_text(sheets_pdf([offer])))
    assert offer.employer_name not in text and "informacja w urzędzie pracy" in text


def test_an_imported_offer_names_its_source_on_paper(own, office, covered) -> None:
    from joboffers.imports import cbop_import

    today = timezone.localdate()
    record = {
        "id": "StPr/1",
        "stanowisko": "Pomocnik piekarza",
        "miejscePracy": "Suchedniów",
        "dataWaznOd": today.strftime("%d.%m.%Y"),
        "dataWaznDo": (today + dt.timedelta(days=9)).strftime("%d.%m.%Y"),
        "zakresObowiazkow": "Wypiek pieczywa.",
    }
    import json

    cbop_import(institution=office, data=json.dumps([record]), source="test")
    offer = JobOffer.objects.get()
    board = Board.objects.get(institution=own)
    for pdf in (sheets_pdf([offer]), digest_pdf([offer], board=board)):
        assert "Źródło: Centralna Baza Ofert Pracy" in _normal(pdf_text(pdf))


def test_the_digest_lists_every_offer_in_two_columns(own, office, covered, make_offer) -> None:
    kinds = ["job", "internship", "job", "training", "socially_useful", "job"] * 3
    offers = [
        make_offer(publish=True, kind=kind, position=f"Oferta {i:02d} – {POLISH[:12]}")
        for i, kind in enumerate(kinds)
    ]
    board = Board.objects.get(institution=own)

    pdf = digest_pdf(offers, board=board)

    assert pdf_pages(pdf) <= 2
    text = _normal(pdf_text(pdf))
    assert all(f"Oferta {i:02d}" in text for i in range(len(offers)))
    for heading in ("OFERTY PRACY", "STAŻE", "SZKOLENIA", "PRACE SPOŁECZNIE UŻYTECZNE"):
        assert heading in text
    assert own.name in text and office.name in text and "41 251 29 50" in text
    starts = [r[0] for page in _runs(pdf) for r in page if r[3].startswith("Oferta ")]
    middle = A4[0] / 2
    assert any(x < middle for x in starts) and any(x > middle for x in starts)
    pdf_to_png(pdf, "joboffers-digest")


def test_the_weekly_prints_are_kept_for_the_board(own, office, covered, make_offer) -> None:
    offers = [make_offer(publish=True, position=f"Praca {i}") for i in range(3)]
    offer_fill(offer=offers[2], acting_user=offers[2].created_by)
    board = Board.objects.get(institution=own)

    kept = board_prints_generate(board=board)

    assert {p.kind for p in kept} == {PrintKind.SHEETS, PrintKind.DIGEST}
    monday = week_start(timezone.localdate())
    for item in kept:
        item.refresh_from_db()
        assert item.week_start == monday and item.offer_count == 2  # the filled one is not printed
        assert item.file.name.startswith(f"joboffers/boards/{board.pk}/")
    sheets = BoardPrint.objects.get(kind=PrintKind.SHEETS)
    with sheets.file.open("rb") as handle:
        data = handle.read()
    assert pdf_pages(data) == 2 and "Praca 0" in pdf_text(data)
    first_name = sheets.file.name

    board_prints_generate(board=board)  # on demand again, the same week: replaced, not added

    assert BoardPrint.objects.count() == 2
    sheets.refresh_from_db()
    storage = sheets.file.storage
    assert storage.exists(sheets.file.name)
    assert sheets.file.name == first_name or not storage.exists(first_name)


def test_old_weekly_prints_are_pruned(own, office, covered, make_offer) -> None:
    from django.core.files.base import ContentFile

    make_offer(publish=True)
    board = Board.objects.get(institution=own)
    monday = week_start(timezone.localdate())
    old, recent = (
        BoardPrint(board=board, kind=PrintKind.DIGEST, week_start=monday - dt.timedelta(weeks=w))
        for w in (13, 12)
    )
    for item in (old, recent):
        item.file.save(f"stary-{item.week_start}.pdf", ContentFile(b"%PDF-1.4"), save=True)

    board_prints_generate(board=board)

    assert set(BoardPrint.objects.values_list("week_start", flat=True)) == {
        monday,
        recent.week_start,
    }
    assert not old.file.storage.exists(old.file.name)
    assert recent.file.storage.exists(recent.file.name)


def test_a_board_with_nothing_on_it_keeps_nothing(own) -> None:
    from joboffers.services import board_ensure

    assert board_prints_generate(board=board_ensure(own)) == []
    assert not BoardPrint.objects.exists()


def test_the_monday_beat_task_prints_every_board(own, office, covered, make_offer) -> None:
    from joboffers.tasks import boards_print_weekly

    make_offer(publish=True)
    assert boards_print_weekly.delay().get() == 1
    assert BoardPrint.objects.filter(board__institution=own).count() == 2


def test_kept_prints_download_through_an_access_check(
    client, own, office, covered, make_offer, owner, outsider
) -> None:
    make_offer(publish=True)
    board = Board.objects.get(institution=own)
    item = board_prints_generate(board=board)[1]
    client.force_login(owner)
    page = client.get(reverse("joboffers:board", args=[board.pk])).content.decode()
    assert reverse("joboffers:print", args=[item.pk]) in page
    response = client.get(reverse("joboffers:print", args=[item.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(outsider)
    assert client.get(reverse("joboffers:print", args=[item.pk])).status_code == 404


def test_on_demand_pdfs_follow_the_board_filters(
    client, own, office, covered, make_offer, owner
) -> None:
    make_offer(publish=True, position="Praca w magazynie")
    intern = make_offer(publish=True, kind="internship", position="Staż w biurze")
    board = Board.objects.get(institution=own)
    client.force_login(owner)
    digest = client.get(reverse("joboffers:board_digest", args=[board.pk]), {"kind": "internship"})
    assert digest["Content-Type"] == "application/pdf"
    text = _normal(pdf_text(digest.content))
    assert "Staż w biurze" in text and "Praca w magazynie" not in text
    sheets = client.get(reverse("joboffers:board_sheets", args=[board.pk]))
    assert pdf_pages(sheets.content) == 2
    one = client.get(reverse("joboffers:sheet", args=[intern.pk]))
    assert "STAŻ" in pdf_text(one.content) and pdf_pages(one.content) == 1


def test_no_sheets_when_nothing_matches(client, own, office, covered, make_offer, owner) -> None:
    make_offer(publish=True)
    board = Board.objects.get(institution=own)
    client.force_login(owner)
    response = client.get(reverse("joboffers:board_sheets", args=[board.pk]), {"kind": "training"})
    assert response.status_code == 302


@pytest.mark.parametrize("who", ["advisor", "owner"])
def test_the_office_and_the_board_print_the_sheet(
    request, client, own, office, covered, make_offer, who
) -> None:
    offer = make_offer(publish=True)
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("joboffers:sheet", args=[offer.pk]))
    assert response.status_code == 200 and offer.position in _normal(pdf_text(response.content))


def test_a_worker_prepares_the_kept_files_now(
    client, own, office, covered, make_offer, owner, django_capture_on_commit_callbacks
) -> None:
    make_offer(publish=True)
    board = Board.objects.get(institution=own)
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("joboffers:board_prints", args=[board.pk]))
    assert response["Location"] == board.get_absolute_url()
    assert BoardPrint.objects.filter(board=board).count() == 2


def test_too_many_sheets_at_once_are_sent_to_the_kept_file(
    client, own, office, covered, make_offer, owner
) -> None:
    from joboffers.views import MAX_ON_DEMAND_SHEETS

    for i in range(MAX_ON_DEMAND_SHEETS + 1):
        make_offer(publish=True, position=f"Oferta {i}")
    board = Board.objects.get(institution=own)
    client.force_login(owner)
    response = client.get(reverse("joboffers:board_sheets", args=[board.pk]))
    assert response.status_code == 302 and response["Location"].startswith(board.get_absolute_url())


def test_board_sheets_are_laid_out_once_and_served_from_storage(
    client, own, office, covered, make_offer, owner, monkeypatch
) -> None:
    """The first print of a board's sheets keeps the file; the next print of the same
    offers serves it without laying it out again; a changed offer makes a new file."""
    from django.core.files.storage import default_storage

    from joboffers import printing

    offer = make_offer(publish=True, position="Praca w magazynie")
    board = Board.objects.get(institution=own)
    laid_out = []
    real = printing.sheets_pdf
    monkeypatch.setattr(printing, "sheets_pdf", lambda offers: laid_out.append(1) or real(offers))
    client.force_login(owner)
    url = reverse("joboffers:board_sheets", args=[board.pk])
    first = client.get(url)
    again = client.get(url)
    assert first.status_code == again.status_code == 200
    assert again["Content-Type"] == "application/pdf"
    assert again.content == first.content and len(laid_out) == 1
    monday = week_start(timezone.localdate())
    folder = f"{printing.kept_sheets_folder(board.pk)}/{monday:%Y-%m-%d}"
    assert len(default_storage.listdir(folder)[1]) == 1

    offer.position = "Praca w sklepie"
    offer.save()
    changed = client.get(url)
    assert len(laid_out) == 2 and "Praca w sklepie" in _normal(pdf_text(changed.content))
    assert len(default_storage.listdir(folder)[1]) == 2


def test_sheets_of_past_weeks_are_removed_with_the_weekly_prints(
    own, office, covered, make_offer
) -> None:
    from django.core.files.storage import default_storage

    from joboffers import printing

    make_offer(publish=True)
    board = Board.objects.get(institution=own)
    offers = printing.board_offers_for_print(board)
    today = timezone.localdate()
    printing.board_sheets_pdf(offers, board=board, today=today - dt.timedelta(weeks=1))
    printing.board_sheets_pdf(offers, board=board, today=today)
    folder = printing.kept_sheets_folder(board.pk)
    assert len(default_storage.listdir(folder)[0]) == 2
    board_prints_generate(board=board)
    this_week = f"{week_start(today):%Y-%m-%d}"
    kept = {
        week
        for week in default_storage.listdir(folder)[0]
        if default_storage.listdir(f"{folder}/{week}")[1]
    }
    assert kept == {this_week}


def test_sheets_are_still_printed_when_they_cannot_be_kept(
    client, own, office, covered, make_offer, owner, monkeypatch
) -> None:
    from django.core.files.storage import default_storage

    def full_disk(*args, **kwargs):
        raise OSError("No space left on device")

    make_offer(publish=True)
    board = Board.objects.get(institution=own)
    monkeypatch.setattr(default_storage, "save", full_disk)
    client.force_login(owner)
    response = client.get(reverse("joboffers:board_sheets", args=[board.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
