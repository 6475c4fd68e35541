"""Noticeboard paper: an A4 sheet per offer in large type with tear-off slips,
and a compact two-column weekly digest of a board.

A sheet is laid out at the largest type that keeps it on one page: it is
rendered, and rendered again a size smaller while it runs onto a second
page. At the smallest size a very long offer continues on a second page; the
slips stay at the bottom of the first. The wording is fixed Polish document
text; imported CBOP text is printed unmodified with its source.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.utils import timezone

from cooperation.pdf import render_pdf, write_document

from .models import CBOP_SOURCE_NOTE, Board, JobOffer, OfferKind, OfferStatus, Publication
from .selectors import on_board_q

if TYPE_CHECKING:
    from weasyprint.text.fonts import FontConfiguration

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
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TypeSize:
    """Point sizes of one step: the position, the key facts, the running text."""

    position: float
    facts: float
    body: float


# Largest first. The position is readable from 2 m at 40 pt, the facts at 20–24 pt.
TYPE_SIZES = (
    TypeSize(40, 24, 15),
    TypeSize(38, 22, 13.5),
    TypeSize(34, 21, 12),
    TypeSize(30, 20, 11),
    TypeSize(26, 18, 10),
)
# The how-to-apply text sits next to the phone number in large type; it need not be larger.
APPLY_TEXT_MAX = 12.5
# A long position name gets a smaller cap whatever the step: (most characters, pt).
_POSITION_CAPS = ((40, 40), (70, 32), (120, 26))
_LONGEST_POSITION = 20
# Where to start for a given amount of running text (characters), to save renders.
_START_AT = (300, 600, 1000, 1500)


@dataclass(frozen=True)
class Sheet:
    offer: JobOffer
    title: str
    size: TypeSize
    position_pt: float
    apply_pt: float
    facts: list[tuple[str, str]]
    sections: list[tuple[str, str]]
    how_to_apply: str
    slip_phone: str
    slips: range
    source_note: str


def _places(offer: JobOffer) -> str:
    text = str(offer.places)
    if offer.places_disabled:
        text += f", w tym {offer.places_disabled} dla osób z niepełnosprawnościami"
    return text


def _place(offer: JobOffer) -> str:
    """The municipality, with the county when it is not the labour office's own."""
    county = offer.workplace_county
    if county and county.casefold() != offer.institution.county.casefold():
        return f"{offer.workplace_municipality} (powiat {county})"
    return offer.workplace_municipality


# A training or an internship is not employment (as on the offer's page).
_PAY_LABELS = {OfferKind.TRAINING: "Odpłatność i stypendium", OfferKind.INTERNSHIP: "Stypendium"}
_CONTRACT_LABELS = {
    OfferKind.TRAINING: "Forma i czas trwania",
    OfferKind.INTERNSHIP: "Forma i czas trwania",
}


def _contract(offer: JobOffer) -> str:
    return ", ".join(p for p in (offer.contract_type, offer.working_time) if p)


def _facts(offer: JobOffer) -> list[tuple[str, str]]:
    training = offer.kind == OfferKind.TRAINING
    facts = [
        ("Miejsce szkolenia" if training else "Miejsce pracy", _place(offer)),
        (_PAY_LABELS.get(offer.kind, "Wynagrodzenie"), offer.pay_display),  # type: ignore[call-overload]
        (_CONTRACT_LABELS.get(offer.kind, "Umowa"), _contract(offer)),  # type: ignore[call-overload]
        ("Liczba miejsc", _places(offer)),
        (
            "Organizator" if training else "Pracodawca",
            offer.employer_name if offer.show_employer else "informacja w urzędzie pracy",
        ),
        ("Oferta ważna do", offer.valid_until.strftime("%d.%m.%Y")),
    ]
    return [(label, value) for label, value in facts if value]


def how_to_apply(offer: JobOffer) -> str:
    if offer.how_to_apply:
        return offer.how_to_apply
    branch = f", {offer.contact_branch}" if offer.contact_branch else ""
    return (
        f"Zadzwoń lub przyjdź do urzędu: {offer.institution.name}{branch}. "
        f"Podaj numer oferty {offer.number}. Weź ze sobą dokument tożsamości."
    )


def _sections(offer: JobOffer) -> list[tuple[str, str]]:
    sections = [
        (
            "Program szkolenia" if offer.kind == OfferKind.TRAINING else "Zakres obowiązków",
            offer.duties,
        ),
        ("Wymagania", offer.requirements),
        ("Mile widziane", offer.requirements_welcome),
    ]
    return [(label, text) for label, text in sections if text]


def sheet_for(offer: JobOffer, step: int) -> Sheet:
    size = TYPE_SIZES[step]
    cap = next(
        (pt for most, pt in _POSITION_CAPS if len(offer.position) <= most), _LONGEST_POSITION
    )
    return Sheet(
        offer=offer,
        title=SHEET_TITLES[OfferKind(offer.kind)],
        size=size,
        position_pt=min(size.position, cap),
        apply_pt=min(size.body, APPLY_TEXT_MAX),
        facts=_facts(offer),
        sections=_sections(offer),
        how_to_apply=how_to_apply(offer),
        slip_phone=offer.contact_phone or offer.institution.phone,
        slips=range(SLIPS),
        source_note=CBOP_SOURCE_NOTE if offer.is_imported else "",
    )


def _first_step(offer: JobOffer) -> int:
    length = sum(len(text) for _label, text in _sections(offer)) + len(how_to_apply(offer))
    return next((i for i, most in enumerate(_START_AT) if length <= most), len(_START_AT))


def _render(sheet: Sheet, fonts: FontConfiguration):
    # WeasyPrint directly rather than cooperation.pdf.render_pdf: fitting needs
    # the laid-out document (its page count), and a bundle joins documents.
    from weasyprint import HTML

    html = render_to_string("pdf/joboffers/sheet.html", {"s": sheet})
    return HTML(string=html).render(font_config=fonts)


def sheet_document(offer: JobOffer, fonts: FontConfiguration | None = None):
    """The offer's sheet at the largest type that fits one page (or the smallest)."""
    from weasyprint.text.fonts import FontConfiguration

    fonts = fonts or FontConfiguration()
    step = _first_step(offer)
    document = _render(sheet_for(offer, step), fonts)
    while len(document.pages) > 1 and step < len(TYPE_SIZES) - 1:
        step += 1
        document = _render(sheet_for(offer, step), fonts)
    return document


def sheets_pdf(offers: Sequence[JobOffer]) -> bytes:
    """One A4 sheet per offer (a very long one continues on a second page), in one PDF."""
    from weasyprint.text.fonts import FontConfiguration

    if not offers:
        raise ValueError("no offers to print")
    fonts = FontConfiguration()
    documents = [sheet_document(offer, fonts) for offer in offers]
    pages = [page for document in documents for page in document.pages]
    return write_document(documents[0].copy(pages))


# Bump when the sheets' layout changes in code rather than in the template (the fitting).
SHEETS_LAYOUT = "1"


def kept_sheets_folder(board_id: int) -> str:
    return f"joboffers/boards/{board_id}/sheets"


def sheets_fingerprint(offers: Sequence[JobOffer]) -> str:
    """A digest of everything the sheets print: each offer's sheet as HTML at its first
    type size (the offer, its office's phone, the template, the language). Rendering
    that HTML takes milliseconds; laying it out as PDF takes seconds."""
    digest = hashlib.sha256(SHEETS_LAYOUT.encode())
    for offer in offers:
        sheet = sheet_for(offer, _first_step(offer))
        digest.update(render_to_string("pdf/joboffers/sheet.html", {"s": sheet}).encode())
    return digest.hexdigest()[:32]


def board_sheets_pdf(
    offers: Sequence[JobOffer], *, board: Board, today: dt.date | None = None
) -> bytes:
    """The sheets of these offers of a board, laid out once and kept for the week.

    Everyone printing the same offers (the board as it is, or the same filters) gets
    the file made for the first of them; a changed offer or wording makes a new file
    (the name is the digest of what is printed). The files of a week are removed with
    the kept prints of past weeks (`prune_sheets`)."""
    today = today or timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    name = f"{kept_sheets_folder(board.pk)}/{monday:%Y-%m-%d}/{sheets_fingerprint(offers)}.pdf"
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as kept:
            return kept.read()
    pdf = sheets_pdf(offers)
    try:
        if not default_storage.exists(name):  # another request may have made it meanwhile
            default_storage.save(name, ContentFile(pdf))
    except OSError:  # a full or read-only disk: the person still gets their sheets
        logger.warning("board sheets not kept", extra={"board_id": board.pk}, exc_info=True)
    return pdf


def prune_sheets(board: Board, monday: dt.date) -> None:
    """Remove the sheets kept in weeks before `monday`."""
    folder = kept_sheets_folder(board.pk)
    if not default_storage.exists(folder):
        return
    weeks, _files = default_storage.listdir(folder)
    for week in weeks:
        if week < f"{monday:%Y-%m-%d}":
            _subfolders, files = default_storage.listdir(f"{folder}/{week}")
            for file in files:
                default_storage.delete(f"{folder}/{week}/{file}")


def board_offers_for_print(board: Board, *, now: dt.datetime | None = None) -> list[JobOffer]:
    """What the board shows now, for the weekly print (a system read: no user).

    The board's own permissions are granted and revoked with its publications,
    so the active publications are the whole rule here. Filled offers are not
    printed: they leave the wall."""
    now = now or timezone.now()
    on_board = Publication.objects.filter(offer=OuterRef("pk"), board=board, ended_at__isnull=True)
    return list(
        JobOffer.objects.filter(Exists(on_board))
        .filter(on_board_q(now))
        .exclude(status=OfferStatus.FILLED)
        .select_related("institution")
        .order_by("kind", "position", "pk")
    )


def digest_pdf(offers: Sequence[JobOffer], *, board: Board, today: dt.date | None = None) -> bytes:
    """All current offers of a board on as few pages as possible, in two columns."""
    today = today or timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    offices = {o.institution for o in offers}
    sections = []
    for kind in OfferKind:
        rows = [o for o in offers if o.kind == kind]
        if rows:
            sections.append(
                (
                    DIGEST_SECTIONS[kind],
                    [(o, _place(o), _contract(o), _places(o)) for o in rows],
                )
            )
    return render_pdf(
        "pdf/joboffers/digest.html",
        {
            "board": board,
            "sections": sections,
            "offices": sorted(offices, key=lambda i: i.name),
            "many_offices": len(offices) > 1,
            "count": len(offers),
            "today": today,
            "week_from": monday,
            "week_to": monday + dt.timedelta(days=6),
            "any_imported": any(o.is_imported for o in offers),
            "source_note": CBOP_SOURCE_NOTE,
        },
    )
