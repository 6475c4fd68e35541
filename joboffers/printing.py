"""Noticeboard paper: an A4 sheet per offer in large type with tear-off slips,
and a compact two-column weekly digest of a board.

Type sizes follow the amount of text so a sheet stays on one page when it
can; a very long offer continues on a second page and the slips stay at the
bottom of the first. The wording is fixed Polish document text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils import timezone

from cooperation.pdf import render_pdf

from .models import CBOP_SOURCE_NOTE, Board, JobOffer, OfferKind, OfferStatus, Publication
from .selectors import on_board_q

SHEET_TITLES = {
    OfferKind.JOB: "OFERTA PRACY",
    OfferKind.INTERNSHIP: "STAŻ",
    OfferKind.SUBSIDISED: "PRACA SUBSYDIOWANA",
    OfferKind.SOCIALLY_USEFUL: "PRACE SPOŁECZNIE UŻYTECZNE",
    OfferKind.TRAINING: "SZKOLENIE",
}
DIGEST_SECTIONS = {
    OfferKind.JOB: "Oferty pracy",
    OfferKind.INTERNSHIP: "Staże",
    OfferKind.SUBSIDISED: "Praca subsydiowana",
    OfferKind.SOCIALLY_USEFUL: "Prace społecznie użyteczne",
    OfferKind.TRAINING: "Szkolenia",
}
SLIPS = 9

# (most characters of body text, body size pt, facts size pt)
_BODY_SIZES = ((500, 16, 22), (900, 14, 22), (1400, 12.5, 20), (2400, 10.5, 20))
_DENSEST = (10, 18)
# (most characters of the position, size pt)
_POSITION_SIZES = ((28, 40), (56, 34), (100, 28))
_LONGEST_POSITION = 22


@dataclass(frozen=True)
class Sheet:
    offer: JobOffer
    title: str
    position_pt: float
    body_pt: float
    facts_pt: float
    facts: list[tuple[str, str]]
    sections: list[tuple[str, str]]
    how_to_apply: str
    slip_phone: str
    slips: range
    source_note: str


def _position_pt(position: str) -> float:
    return next((pt for most, pt in _POSITION_SIZES if len(position) <= most), _LONGEST_POSITION)


def _body_sizes(length: int) -> tuple[float, float]:
    return next(((b, f) for most, b, f in _BODY_SIZES if length <= most), _DENSEST)


def _places(offer: JobOffer) -> str:
    text = str(offer.places)
    if offer.places_disabled:
        text += f", w tym {offer.places_disabled} dla osób z niepełnosprawnościami"
    return text


def _place(offer: JobOffer) -> str:
    if offer.workplace_county and offer.workplace_county.casefold() not in (
        offer.workplace_municipality.casefold()
    ):
        return f"{offer.workplace_municipality} (powiat {offer.workplace_county})"
    return offer.workplace_municipality


def _facts(offer: JobOffer) -> list[tuple[str, str]]:
    facts = [
        ("Miejsce pracy", _place(offer)),
        ("Wynagrodzenie", offer.pay_display),
        ("Rodzaj umowy", offer.contract_type),
        ("Wymiar czasu pracy", offer.working_time),
        ("Liczba miejsc", _places(offer)),
        (
            "Pracodawca",
            offer.employer_name if offer.show_employer else "informacja w urzędzie pracy",
        ),
        ("Oferta ważna do", offer.valid_until.strftime("%d.%m.%Y")),
    ]
    return [(label, value) for label, value in facts if value]


def how_to_apply(offer: JobOffer) -> str:
    if offer.how_to_apply:
        return offer.how_to_apply
    office = offer.institution.name
    branch = f", {offer.contact_branch}" if offer.contact_branch else ""
    return (
        f"Zadzwoń lub przyjdź do urzędu: {office}{branch}. "
        f"Podaj numer oferty {offer.number}. Weź ze sobą dokument tożsamości."
    )


def sheet_for(offer: JobOffer) -> Sheet:
    sections = [
        ("Zakres obowiązków", offer.duties),
        ("Wymagania", offer.requirements),
        ("Mile widziane", offer.requirements_welcome),
    ]
    sections = [(label, text) for label, text in sections if text]
    apply_text = how_to_apply(offer)
    body_pt, facts_pt = _body_sizes(sum(len(t) for _l, t in sections) + len(apply_text))
    return Sheet(
        offer=offer,
        title=SHEET_TITLES[OfferKind(offer.kind)],
        position_pt=_position_pt(offer.position),
        body_pt=body_pt,
        facts_pt=facts_pt,
        facts=_facts(offer),
        sections=sections,
        how_to_apply=apply_text,
        slip_phone=offer.contact_phone or offer.institution.phone,
        slips=range(SLIPS),
        source_note=CBOP_SOURCE_NOTE if offer.is_imported else "",
    )


def board_offers_for_print(board: Board, *, now: dt.datetime | None = None) -> list[JobOffer]:
    """What the board shows now, for the weekly print (a system read: no user).

    The board's own permissions are granted and revoked with its publications,
    so the active publications are the whole rule here."""
    now = now or timezone.now()
    on_board = Publication.objects.filter(offer=OuterRef("pk"), board=board, ended_at__isnull=True)
    return list(
        JobOffer.objects.filter(Exists(on_board))
        .filter(on_board_q(now))
        .exclude(status=OfferStatus.FILLED)
        .select_related("institution")
        .order_by("kind", "position", "pk")
    )


def sheets_pdf(
    offers: Sequence[JobOffer], *, board: Board | None = None, today: dt.date | None = None
) -> bytes:
    """One A4 sheet per offer (a long one continues on a second page), in one PDF."""
    return render_pdf(
        "pdf/joboffers/sheet.html",
        {"sheets": [sheet_for(o) for o in offers], "board": board, "today": today},
    )


def digest_pdf(
    offers: Sequence[JobOffer], *, board: Board, today: dt.date | None = None
) -> bytes:
    """All current offers of a board on as few pages as possible, in two columns."""
    today = today or timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    sections = []
    for kind in OfferKind:
        rows = [o for o in offers if o.kind == kind]
        if rows:
            sections.append((DIGEST_SECTIONS[kind], [(o, _place(o), _places(o)) for o in rows]))
    return render_pdf(
        "pdf/joboffers/digest.html",
        {
            "board": board,
            "sections": sections,
            "count": len(offers),
            "today": today,
            "week_from": monday,
            "week_to": monday + dt.timedelta(days=6),
            "any_imported": any(o.is_imported for o in offers),
            "source_note": CBOP_SOURCE_NOTE,
        },
    )
