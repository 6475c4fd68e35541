"""Writes of job offers, boards and proposals.

Every write is atomic, checks the acting user's institution and role, and
audits. Publishing grants the board's institution a view permission on the
offer next to the publication row; every way an offer leaves a board
(withdrawal, expiry, a week after filling, the agreement ending) ends the
publication and revokes that permission in the same transaction.

draft → published → filled | expired | withdrawn
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import Client
from cooperation.audit import audit
from cooperation.models import AuditAction, Institution, User
from cooperation.permissions import CHANGE, VIEW, membership_of, require
from cooperation.services import model_update, object_share, object_unshare

from .models import (
    FILLED_SHOWN_DAYS,
    OPEN_STATUSES,
    Board,
    BoardPrint,
    JobOffer,
    OfferProposal,
    OfferStatus,
    Outcome,
    PrintKind,
    Publication,
)
from .permissions import PROPOSE_OFFER
from .selectors import BOARD_KINDS, current_offers_for, partner_institutions

# The fields a labour office fills in for an offer it enters here.
EDITABLE_FIELDS = (
    "kind",
    "position",
    "occupation_code",
    "employer_name",
    "employer_nip",
    "employer_regon",
    "employer_hidden",
    "workplace_municipality",
    "workplace_county",
    "contract_type",
    "working_time",
    "pay_min",
    "pay_max",
    "pay_text",
    "duties",
    "requirements",
    "requirements_welcome",
    "how_to_apply",
    "places",
    "places_disabled",
    "valid_from",
    "valid_until",
    "contact_branch",
    "contact_phone",
    "contact_email",
    "contact_advisor",
)
# Kept weekly prints older than this are deleted with their files.
KEEP_PRINT_WEEKS = 12


def _require_open(offer: JobOffer) -> None:
    if offer.status not in OPEN_STATUSES:
        raise ValidationError(
            _("This cannot be done while the offer is %(status)s.")
            % {"status": offer.get_status_display()}
        )


def _clean_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable on an offer: {sorted(unknown)}")
    return {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}


def _next_number(institution: Institution, year: int) -> tuple[int, str]:
    # Lock the office's row so two offers saved at once get different numbers.
    Institution.objects.select_for_update().filter(pk=institution.pk).first()
    last = (
        JobOffer.objects.filter(institution=institution, year=year).aggregate(m=Max("sequence"))[
            "m"
        ]
        or 0
    )
    return last + 1, f"{last + 1}/{year}"


def offer_new(institution: Institution, **fields: Any) -> JobOffer:
    """An unsaved offer of `institution` with the next number of the year (inside a transaction)."""
    year = timezone.localdate().year
    sequence, number = _next_number(institution, year)
    return JobOffer(institution=institution, year=year, sequence=sequence, number=number, **fields)


@transaction.atomic
def offer_create(*, acting_user: User, **fields: Any) -> JobOffer:
    """A labour office enters an offer; it starts as a draft that only the office sees."""
    require(acting_user, JobOffer, CHANGE)
    institution: Institution = membership_of(acting_user).institution  # type: ignore[union-attr]
    data = _clean_fields(fields)
    data["workplace_county"] = data.get("workplace_county") or institution.county
    offer = offer_new(institution, created_by=acting_user, **data)
    offer.full_clean()
    offer.save()
    audit(actor=acting_user, action=AuditAction.CREATE, obj=offer)
    return offer


@transaction.atomic
def offer_update(*, offer: JobOffer, acting_user: User, **fields: Any) -> JobOffer:
    """Change an offer entered here; imported offers change only through the import."""
    require(acting_user, offer, CHANGE)
    _require_open(offer)
    if offer.is_imported:
        raise ValidationError(
            _("Imported offers are kept as the source publishes them; they change with the import.")
        )
    data = _clean_fields(fields)
    return model_update(instance=offer, fields=data, data=data, acting_user=acting_user)[0]


def board_ensure(institution: Institution) -> Board:
    """The board of an OPS/PCPR, created the first time anyone needs it."""
    if institution.kind not in BOARD_KINDS:
        raise ValidationError(_("Only a social assistance centre (OPS/PCPR) has a noticeboard."))
    board, _created = Board.objects.get_or_create(institution=institution)
    return board


def partner_boards(institution: Institution) -> list[Board]:
    """Boards a labour office may publish to today, created as needed."""
    return [board_ensure(p) for p in partner_institutions(institution)]


def publication_start(offer: JobOffer, board: Board, user: User | None) -> Publication:
    """Put an offer on a board and let the board's institution see it (the caller checked
    that an agreement covers it)."""
    publication = Publication.objects.create(offer=offer, board=board, published_by=user)
    object_share(
        obj=offer,
        institution=board.institution,
        actions=[VIEW],
        acting_user=user,
        reason=_("published on the noticeboard"),
    )
    return publication


def _end_publication(publication: Publication, user: User | None, reason: str) -> None:
    publication.ended_at = timezone.now()
    publication.end_reason = reason[:250]
    publication.save(update_fields=["ended_at", "end_reason"])
    object_unshare(
        obj=publication.offer,
        institution=publication.board.institution,
        actions=[VIEW],
        acting_user=user,
        reason=reason,
    )


def _end_all_publications(offer: JobOffer, user: User | None, reason: str) -> int:
    active = offer.publications.filter(ended_at__isnull=True).select_related("board__institution")
    count = 0
    for publication in active:
        _end_publication(publication, user, reason)
        count += 1
    return count


@transaction.atomic
def offer_publish(
    *, offer: JobOffer, acting_user: User, boards: Iterable[Board] | None = None
) -> list[Publication]:
    """Put an offer on partner boards (all of them when `boards` is None).

    Only boards of institutions whose agreement in force covers job-offer
    publishing are allowed; an offer already on a board stays as it is.
    """
    require(acting_user, offer, CHANGE)
    institution = offer.institution
    offer = JobOffer.objects.select_for_update().get(pk=offer.pk)
    _require_open(offer)
    if offer.valid_until < timezone.localdate():
        raise ValidationError(_("This offer has already ended; change its dates first."))
    allowed = {b.pk: b for b in partner_boards(institution)}
    chosen = list(allowed.values()) if boards is None else list(boards)
    if not chosen:
        raise ValidationError(
            {"boards": _("No partner board: no agreement in force covers job-offer publishing.")}
        )
    if any(b.pk not in allowed for b in chosen):
        raise ValidationError(
            {
                "boards": _(
                    "Offers can be published only on boards of partners whose agreement covers job offers."
                )
            }
        )
    already = set(
        offer.publications.filter(ended_at__isnull=True).values_list("board_id", flat=True)
    )
    created = [
        publication_start(offer, allowed[b.pk], acting_user) for b in chosen if b.pk not in already
    ]
    if offer.status == OfferStatus.DRAFT:
        offer.status = OfferStatus.PUBLISHED
        offer.published_at = offer.published_at or timezone.now()
        offer.save(update_fields=["status", "published_at", "updated_at"])
        audit(actor=acting_user, action=AuditAction.UPDATE, obj=offer, fields=["status"])
    return created


@transaction.atomic
def offer_unpublish(*, offer: JobOffer, acting_user: User, board: Board) -> None:
    """Take an offer off one board; it stays published on the others."""
    require(acting_user, offer, CHANGE)
    publication = offer.publications.filter(board=board, ended_at__isnull=True).first()
    if publication is None:
        raise ValidationError(_("The offer is not on this board."))
    _end_publication(publication, acting_user, _("taken off by the labour office"))


@transaction.atomic
def offer_fill(*, offer: JobOffer, acting_user: User) -> JobOffer:
    """The places are filled: boards show it as filled for a week, then it leaves."""
    require(acting_user, offer, CHANGE)
    offer = JobOffer.objects.select_for_update().get(pk=offer.pk)
    if offer.status != OfferStatus.PUBLISHED:
        raise ValidationError(_("Only a published offer can be marked as filled."))
    offer.status = OfferStatus.FILLED
    offer.filled_at = timezone.now()
    offer.save(update_fields=["status", "filled_at", "updated_at"])
    audit(actor=acting_user, action=AuditAction.UPDATE, obj=offer, fields=["status"])
    return offer


@transaction.atomic
def offer_withdraw(*, offer: JobOffer, acting_user: User, reason: str) -> JobOffer:
    """Withdraw an offer: it leaves every board at once."""
    require(acting_user, offer, CHANGE)
    offer = JobOffer.objects.select_for_update().get(pk=offer.pk)
    if offer.status not in (*OPEN_STATUSES, OfferStatus.FILLED):
        raise ValidationError(_("This offer has already left the boards."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the offer is withdrawn.")})
    offer.status = OfferStatus.WITHDRAWN
    offer.closed_at = timezone.now()
    offer.withdrawal_reason = reason.strip()[:250]
    offer.save(update_fields=["status", "closed_at", "withdrawal_reason", "updated_at"])
    _end_all_publications(offer, acting_user, _("withdrawn: %(reason)s") % {"reason": reason})
    audit(actor=acting_user, action=AuditAction.UPDATE, obj=offer, fields=["status"])
    return offer


def offer_expire(offer: JobOffer, reason: str) -> None:
    """System: the offer ended (its date passed, or it left the source); off every board."""
    offer.status = OfferStatus.EXPIRED
    offer.closed_at = timezone.now()
    offer.save(update_fields=["status", "closed_at", "updated_at"])
    _end_all_publications(offer, None, reason)
    audit(actor=None, action=AuditAction.UPDATE, obj=offer, fields=["status"], reason=reason)


@transaction.atomic
def publications_end_between(a: Institution, b: Institution, reason: str) -> int:
    """No agreement covers job offers between A and B any more: their boards drop
    each other's offers (both directions), and the permissions go with them."""
    active = Publication.objects.filter(ended_at__isnull=True).filter(
        Q(offer__institution=a, board__institution=b)
        | Q(offer__institution=b, board__institution=a)
    )
    count = 0
    for publication in active.select_related("offer", "board__institution"):
        _end_publication(
            publication, None, _("agreement no longer covers job offers: %(r)s") % {"r": reason}
        )
        count += 1
    return count


def offers_run_daily(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The nightly pass, idempotent: offers past their date expire and leave the
    boards; filled offers leave a week after filling. One transaction per offer,
    so one bad row does not stop the rest."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    counts = {"expired": 0, "filled_removed": 0}
    past = JobOffer.objects.filter(status__in=OPEN_STATUSES, valid_until__lt=today)
    for pk in past.values_list("pk", flat=True):
        with transaction.atomic():
            offer = JobOffer.objects.select_for_update().get(pk=pk)
            if offer.status in OPEN_STATUSES and offer.valid_until < today:
                offer_expire(offer, _("the offer's validity date passed"))
                counts["expired"] += 1
    cutoff = now - dt.timedelta(days=FILLED_SHOWN_DAYS)
    filled = JobOffer.objects.filter(
        status=OfferStatus.FILLED, filled_at__lt=cutoff, publications__ended_at__isnull=True
    ).distinct()
    for pk in filled.values_list("pk", flat=True):
        with transaction.atomic():
            offer = JobOffer.objects.select_for_update().get(pk=pk)
            counts["filled_removed"] += _end_all_publications(offer, None, _("filled a week ago"))
    return counts


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@transaction.atomic
def board_prints_generate(*, board: Board, now: dt.datetime | None = None) -> list[BoardPrint]:
    """Render the board's sheets and weekly digest and keep them for this week
    (replacing this week's earlier files). A board with nothing on it keeps nothing."""
    from .printing import board_offers_for_print, digest_pdf, prune_sheets, sheets_pdf

    now = now or timezone.now()
    monday = week_start(timezone.localdate(now))
    prune_sheets(board, monday)
    offers = board_offers_for_print(board, now=now)
    if not offers:
        return []
    digest = digest_pdf(offers, board=board, today=timezone.localdate(now))
    kept = [
        _keep(board, PrintKind.SHEETS, monday, sheets_pdf(offers), len(offers)),
        _keep(board, PrintKind.DIGEST, monday, digest, len(offers)),
    ]
    _prune_prints(board, monday)
    return kept


def _keep(board: Board, kind: str, monday: dt.date, pdf: bytes, count: int) -> BoardPrint:
    item = BoardPrint.objects.filter(board=board, kind=kind, week_start=monday).first()
    if item is None:
        item = BoardPrint(board=board, kind=kind, week_start=monday)
    elif item.file:
        item.file.delete(save=False)
    item.offer_count = count
    name = f"{'arkusze' if kind == PrintKind.SHEETS else 'zestawienie'}-{monday:%Y-%m-%d}.pdf"
    item.file.save(name, ContentFile(pdf), save=False)
    item.save()
    return item


def _prune_prints(board: Board, monday: dt.date) -> None:
    old = board.prints.filter(week_start__lt=monday - dt.timedelta(weeks=KEEP_PRINT_WEEKS))
    for item in old:
        item.file.delete(save=False)
        item.delete()


@transaction.atomic
def proposal_record(
    *,
    acting_user: User,
    client: Client,
    offer: JobOffer,
    answer: str,
    outcome: str = Outcome.PENDING,
    note: str = "",
    proposed_on: dt.date | None = None,
) -> OfferProposal:
    """A worker or advisor records that they proposed a current offer to a client."""
    require(acting_user, client, PROPOSE_OFFER)
    institution: Institution = membership_of(acting_user).institution  # type: ignore[union-attr]
    if not current_offers_for(acting_user).filter(pk=offer.pk).exists():
        raise ValidationError({"offer": _("This offer is no longer open or not on your board.")})
    proposed_on = proposed_on or timezone.localdate()
    if proposed_on > timezone.localdate():
        raise ValidationError({"proposed_on": _("The date cannot be in the future.")})
    proposal = OfferProposal(
        client=client,
        offer=offer,
        institution=institution,
        proposed_by=acting_user,
        proposed_on=proposed_on,
        answer=answer,
        outcome=outcome,
        note=note.strip(),
    )
    proposal.full_clean()
    proposal.save()
    audit(
        actor=acting_user,
        action=AuditAction.CREATE,
        obj=proposal,
        fields=["offer", "answer", "outcome"],
        reason=f"klient #{client.pk}",
    )
    return proposal


@transaction.atomic
def proposal_update(
    *, proposal: OfferProposal, acting_user: User, answer: str, outcome: str, note: str
) -> OfferProposal:
    """Record the client's later answer or the outcome; only the proposing institution may."""
    require(acting_user, proposal, CHANGE)
    new = {"answer": answer, "outcome": outcome, "note": note.strip()}
    return model_update(
        instance=proposal,
        fields=new,
        data=new,
        acting_user=acting_user,
        reason=f"klient #{proposal.client_id}",
    )[0]
