"""Offers say what a training or an internship is; numbers agree with their nouns;
the board says before the click when its list is too long to print on demand."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext

from joboffers.models import Board, Publication
from joboffers.printing import sheets_pdf
from joboffers.views import MAX_ON_DEMAND_SHEETS

from ..pdfs import pdf_text

TRAINING = {
    "kind": "training",
    "position": "Kurs operatora wózków widłowych",
    "contract_type": "",
    "working_time": "60 godzin",
    "pay_min": None,
    "pay_max": None,
    "pay_text": "bezpłatne, stypendium",
}


def test_a_training_is_described_by_its_fee_and_duration(
    client, own, owner, covered, make_offer
) -> None:
    offer = make_offer(publish=True, **TRAINING)
    client.force_login(owner)
    detail = client.get(reverse("joboffers:detail", args=[offer.pk])).content.decode()
    board = Board.objects.get(institution=own)
    card = client.get(reverse("joboffers:board", args=[board.pk])).content.decode()
    for body in (detail, card):
        assert "Odpłatność i stypendium" in body
        assert "Wynagrodzenie" not in body and "<dt>Umowa</dt>" not in body
    assert "<dt>Czas trwania</dt><dd>60 godzin</dd>" in detail
    assert "Miejsce szkolenia" in detail and "Organizator" in detail
    assert "Miejsce pracy" not in detail and "Pracodawca" not in detail
    with translation.override("pl"):
        text = " ".join(pdf_text(sheets_pdf([offer])).split())
    assert "Odpłatność i stypendium" in text and "Wynagrodzenie" not in text


def test_a_job_keeps_pay_and_contract(client, own, owner, covered, make_offer) -> None:
    offer = make_offer(publish=True)
    client.force_login(owner)
    detail = client.get(reverse("joboffers:detail", args=[offer.pk])).content.decode()
    assert "Wynagrodzenie" in detail and "Rodzaj umowy" in detail


def test_publishing_says_the_number_of_boards_in_polish(client, advisor, covered, make_offer):
    offer = make_offer()
    client.force_login(advisor)
    response = client.post(reverse("joboffers:publish", args=[offer.pk]), {"all": "1"}, follow=True)
    n = Publication.objects.filter(offer=offer).count()
    assert n >= 1
    body = response.content.decode()
    with translation.override("pl"):
        expected = ngettext("Published on %(n)d more board.", "Published on %(n)d more boards.", n)
    assert expected % {"n": n} in body
    assert "kolejnej tablicy" in body if n == 1 else "kolejnych tablicach" in body
    assert "liczba:" not in body


def test_polish_plurals_for_boards() -> None:
    with translation.override("pl"):
        forms = [
            ngettext("Published on %(n)d more board.", "Published on %(n)d more boards.", n)
            % {"n": n}
            for n in (1, 2, 5, 22)
        ]
    assert forms == [
        "Opublikowano na 1 kolejnej tablicy.",
        "Opublikowano na 2 kolejnych tablicach.",
        "Opublikowano na 5 kolejnych tablicach.",
        "Opublikowano na 22 kolejnych tablicach.",
    ]


def test_an_unfiltered_long_board_explains_the_sheet_limit_before_the_click(
    client, own, owner, covered, make_offer
) -> None:
    for i in range(MAX_ON_DEMAND_SHEETS + 1):
        make_offer(publish=True, position=f"Oferta {i}")
    board = Board.objects.get(institution=own)
    client.force_login(owner)
    url = reverse("joboffers:board", args=[board.pk])
    body = client.get(url).content.decode()
    assert 'id="sheets-hint"' in body and f"1–{MAX_ON_DEMAND_SHEETS} ofert" in body
    assert reverse("joboffers:board_sheets", args=[board.pk]) not in body


def test_a_short_board_offers_the_sheets(client, own, owner, covered, make_offer) -> None:
    make_offer(publish=True)
    board = Board.objects.get(institution=own)
    client.force_login(owner)
    body = client.get(reverse("joboffers:board", args=[board.pk])).content.decode()
    assert reverse("joboffers:board_sheets", args=[board.pk]) in body
    assert 'id="sheets-hint"' not in body
