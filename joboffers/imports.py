"""Importing a labour office's offers from a CBOP feed: upsert by the CBOP id.

Idempotent: a record equal to what is stored changes nothing (not even the
change time). Offers of the office that are no longer in the feed expire and
leave the boards. A bad record is rejected with its reason and the batch
goes on; if every record is bad, nothing expires, so a broken feed never
empties the boards.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperation.audit import audit
from cooperation.models import AuditAction, Institution, User
from cooperation.roles import LABOUR_OFFICE_KINDS, is_labour_office

from . import cbop
from .models import (
    OPEN_STATUSES,
    Board,
    ImportRun,
    ImportStatus,
    JobOffer,
    OfferSource,
    OfferStatus,
)
from .services import offer_expire, offer_new, partner_boards, publication_start

log = logging.getLogger(__name__)

_OUTCOMES = ("created", "updated", "unchanged")


def _require_office(institution: Institution) -> None:
    if not is_labour_office(institution):
        raise ValidationError(_("Offers are imported for a labour office (PUP) only."))


def _finish(run: ImportRun, status: str, error: str = "") -> ImportRun:
    run.status = status
    run.error = error
    run.finished_at = timezone.now()
    run.save()
    return run


def cbop_import(
    *,
    institution: Institution,
    data: bytes | str,
    source: str,
    acting_user: User | None = None,
    now: dt.datetime | None = None,
) -> ImportRun:
    """Import one feed for a labour office and return the run with its report."""
    _require_office(institution)
    now = now or timezone.now()
    run = ImportRun.objects.create(
        institution=institution, source=source[:500], triggered_by=acting_user
    )
    try:
        records = cbop.parse_feed(data)
    except cbop.FeedError as exc:
        return _finish(run, ImportStatus.FAILED, str(exc))
    run.received = len(records)
    boards = partner_boards(institution) if settings.CBOP_PUBLISH_IMPORTED else []
    seen: set[str] = set()
    for index, record in enumerate(records, start=1):
        ext = cbop.external_id(record)
        try:
            if ext in seen:
                raise cbop.RecordError(f"the id {ext} appears twice in the feed")
            outcome = _upsert(institution, record, boards=boards, now=now)
        except (cbop.RecordError, ValidationError) as exc:
            run.rejected.append({"index": index, "id": ext, "reason": _reason(exc)})
        else:
            setattr(run, outcome, getattr(run, outcome) + 1)
        if ext:
            # A rejected record is still in the feed: its stored offer must not expire.
            seen.add(ext)
    if records and not any(getattr(run, o) for o in _OUTCOMES):
        log.warning("CBOP import for %s: every record rejected; nothing expires", institution)
    else:
        run.expired = _expire_missing(institution, seen)
    audit(
        actor=acting_user,
        action=AuditAction.CREATE,
        obj=run,
        institution=institution,
        reason=f"CBOP: +{run.created} ~{run.updated} -{run.expired} !{len(run.rejected)}",
    )
    return _finish(run, ImportStatus.DONE)


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


@transaction.atomic
def _upsert(
    institution: Institution, record: dict[str, Any], *, boards: list[Board], now: dt.datetime
) -> str:
    fields = cbop.record_fields(record)
    fields["contact_phone"] = fields["contact_phone"] or institution.phone
    today = timezone.localdate(now)
    ext = cbop.external_id(record)
    offer = (
        JobOffer.objects.select_for_update()
        .filter(institution=institution, source=OfferSource.CBOP, external_id=ext)
        .first()
    )
    if offer is None:
        return _create(institution, ext, record, fields, boards=boards, today=today)
    changed = [name for name, value in fields.items() if getattr(offer, name) != value]
    if offer.source_data != record:
        changed.append("source_data")
    reopen = offer.status == OfferStatus.EXPIRED and fields["valid_until"] >= today
    if not changed and not reopen:
        return "unchanged"
    for name in changed:
        setattr(offer, name, record if name == "source_data" else fields[name])
    if reopen:
        offer.status, offer.closed_at = OfferStatus.DRAFT, None
    offer.full_clean()
    offer.save()
    if reopen:
        _publish_all(offer, boards)
    audit(actor=None, action=AuditAction.UPDATE, obj=offer, fields=changed, reason="CBOP")
    return "updated"


def _create(
    institution: Institution,
    ext: str,
    record: dict[str, Any],
    fields: dict[str, Any],
    *,
    boards: list[Board],
    today: dt.date,
) -> str:
    offer = offer_new(
        institution, source=OfferSource.CBOP, external_id=ext, source_data=record, **fields
    )
    if offer.valid_until < today:
        offer.status, offer.closed_at = OfferStatus.EXPIRED, timezone.now()
    offer.full_clean()
    offer.save()
    if offer.status == OfferStatus.DRAFT:
        _publish_all(offer, boards)
    audit(actor=None, action=AuditAction.CREATE, obj=offer, reason="CBOP")
    return "created"


def _publish_all(offer: JobOffer, boards: list[Board]) -> None:
    """New imported offers go to every partner board (CBOP_PUBLISH_IMPORTED)."""
    if not boards:
        return
    for board in boards:
        publication_start(offer, board, None)
    offer.status = OfferStatus.PUBLISHED
    offer.published_at = offer.published_at or timezone.now()
    offer.save(update_fields=["status", "published_at", "updated_at"])


def _expire_missing(institution: Institution, seen: set[str]) -> int:
    missing = (
        JobOffer.objects.filter(
            institution=institution, source=OfferSource.CBOP, status__in=OPEN_STATUSES
        )
        .exclude(external_id__in=seen)
        .values_list("pk", flat=True)
    )
    count = 0
    for pk in list(missing):
        with transaction.atomic():
            offer = JobOffer.objects.select_for_update().get(pk=pk)
            offer_expire(offer, _("no longer in the CBOP feed"))
            count += 1
    return count


def cbop_import_url(
    *, institution: Institution, url: str, acting_user: User | None = None
) -> ImportRun:
    """Fetch a feed and import it. A feed that cannot be read is recorded as a
    failed run; network and server errors are re-raised so a task can retry."""
    _require_office(institution)
    try:
        data = cbop.fetch(url, timeout=settings.CBOP_TIMEOUT, max_bytes=settings.CBOP_MAX_BYTES)
    except cbop.FeedError as exc:
        run = ImportRun.objects.create(
            institution=institution, source=url, triggered_by=acting_user
        )
        return _finish(run, ImportStatus.FAILED, str(exc))
    except OSError as exc:
        run = ImportRun.objects.create(
            institution=institution, source=url, triggered_by=acting_user
        )
        _finish(run, ImportStatus.FAILED, f"{type(exc).__name__}: {exc}")
        raise
    return cbop_import(institution=institution, data=data, source=url, acting_user=acting_user)


def configured_feeds() -> list[tuple[Institution, str]]:
    """(labour office, URL) for every feed in CBOP_FEEDS whose office exists."""
    feeds = settings.CBOP_FEEDS
    offices = {
        i.short_name: i
        for i in Institution.objects.filter(short_name__in=feeds, kind__in=LABOUR_OFFICE_KINDS)
    }
    missing = set(feeds) - set(offices)
    if missing:
        log.error("CBOP_FEEDS names unknown labour offices: %s", ", ".join(sorted(missing)))
    return [(offices[short], url) for short, url in feeds.items() if short in offices]
