"""Permission-filtered reads of SEPI lookups, and what the pages show of them."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import Client, ClientStatus
from clients.timeline import TimelineEntry
from cooperation.audit import audit
from cooperation.http import MemberRequest
from cooperation.models import AuditAction, User
from cooperation.permissions import (
    all_of,
    can,
    get_visible_or_404,
    institution_of,
    membership_of,
    visible,
)
from cooperation.roles import SEPI_ROLES

from . import schema
from .changes import describe, is_major
from .forms import LookupForm
from .labels import label
from .models import BatchCheck, BatchStatus, Lookup, LookupStatus
from .permissions import SEPI_LOOKUP, sepi_kind, sepi_role
from .services import fresh_lookup, rate_limit_remaining
from .types import SepiSchemaError, StatusResult

logger = logging.getLogger(__name__)


def _stored_result(lookup: Lookup) -> StatusResult | None:
    """The saved answer of a done lookup, or None when it is gone or no longer reads as
    `sepi-status/1` (logged): a stored row the schema rejects must not break a page."""
    if not lookup.result:
        return None
    try:
        return schema.parse(lookup.result)
    except SepiSchemaError as exc:
        logger.error("SEPI lookup %s holds an answer the schema rejects: %s", lookup.pk, exc)
        return None


# After this long in the queue the pending state adds "Queued: the query waits for its turn…".
QUEUED_NOTE_SECONDS = 10


def announcement(lookup: Lookup | None) -> str:
    """What the panel's live region says after an htmx answer ("" for nothing new).

    A failure needs nothing here: its box is an alert of its own."""
    if lookup is None:
        return ""
    if lookup.is_pending:
        return _("Asking SEPI…")
    if lookup.status == LookupStatus.DONE:
        return _("The SEPI answer is in.")
    return ""


def lookups_visible_to(user: User) -> QuerySet[Lookup]:
    """Lookups made by the user's institution (its own records), newest first."""
    return (
        visible(Lookup, user)
        .select_related("client", "requested_by", "batch")
        .order_by("-requested_at", "-pk")
    )


def lookup_get_for_user(user: User, pk: int) -> Lookup:
    """One of the institution's lookups, while the user may still ask SEPI about its client."""
    lookup = get_visible_or_404(
        Lookup.objects.select_related("client", "client__owner", "requested_by"), user, pk=pk
    )
    if not visible(Client, user).filter(pk=lookup.client_id).exists():
        raise Http404
    if not can(user, lookup.client, SEPI_LOOKUP):
        raise PermissionDenied
    return lookup


def batch_get_for_user(user: User, pk: int) -> BatchCheck:
    return get_visible_or_404(BatchCheck, user, pk=pk)


def newest_lookup(client: Client, institution_id: int) -> Lookup | None:
    return (
        Lookup.objects.filter(client=client, institution_id=institution_id)
        .order_by("-requested_at", "-pk")
        .first()
    )


def _last_answer(client: Client, institution_id: int) -> Lookup | None:
    return (
        Lookup.objects.filter(
            client=client,
            institution_id=institution_id,
            pesel=client.pesel,  # not an answer about a PESEL since corrected
            status=LookupStatus.DONE,
        )
        .order_by("-requested_at", "-pk")
        .first()
    )


def state_context(
    *, user: User, client: Client, lookup: Lookup | None, form: LookupForm | None = None
) -> dict[str, Any]:
    """What the live part of the SEPI panel shows for `lookup` (the newest one, or the
    one being polled): its state, and the newest answer with its age and changes."""
    membership = membership_of(user)
    institution_id = membership.institution_id if membership else 0
    answer = lookup if lookup and lookup.status == LookupStatus.DONE else None
    if answer is None:  # failed or still waiting: show the last good answer meanwhile
        answer = _last_answer(client, institution_id)
    result = _stored_result(answer) if answer else None
    changes = answer.changes if answer else []
    has_fresh = answer is not None and fresh_lookup(client, institution_id) is not None
    if form is None:
        form = LookupForm(
            initial={"request_key": uuid.uuid4().hex, "purpose": lookup.purpose if lookup else ""}
        )
        if not has_fresh:
            del form.fields["refresh"]  # nothing saved to skip: do not offer it
    pending = lookup is not None and lookup.is_pending
    blocked = ""
    if not client.pesel:
        blocked = _("SEPI can only be asked about a person with a PESEL number.")
    elif client.status != ClientStatus.ACTIVE:
        blocked = _("The client's case is closed.")
    return {
        "blocked": blocked,
        "client": client,
        "lookup": lookup,
        "answer": answer,
        "result": result,
        "changes": [{"text": describe(c), "major": is_major(c)} for c in changes],
        "polling": pending,
        "slow": pending and lookup.requested_at < timezone.now() - dt.timedelta(minutes=2),  # type: ignore[union-attr]
        # No worker has taken it after a few seconds: say it waits in the queue.
        "queued_long": pending
        and lookup.status == LookupStatus.QUEUED  # type: ignore[union-attr]
        and lookup.requested_at < timezone.now() - dt.timedelta(seconds=QUEUED_NOTE_SECONDS),  # type: ignore[union-attr]
        "form": form,
        "has_fresh": has_fresh,
        "age_minutes": (timezone.now() - answer.fetched_at).total_seconds() // 60
        if answer and answer.fetched_at
        else None,
        "remaining": rate_limit_remaining(user),
        "simulated": settings.SEPI_BACKEND == "simulator",
    }


def panel_context(request: MemberRequest, client: Client) -> dict[str, Any] | None:
    """The SEPI box on the client's record page; hidden when the user may not ask SEPI."""
    user = request.user
    if not can(user, client, SEPI_LOOKUP):
        return None
    institution_id = request.institution.pk
    history = list(
        Lookup.objects.filter(client=client, institution_id=institution_id)
        .select_related("requested_by")
        .order_by("-requested_at", "-pk")[:6]
    )
    context = state_context(user=user, client=client, lookup=history[0] if history else None)
    if context["result"] is not None:
        audit_shown(request, client, context["answer"])
    return {**context, "history": history}


def panel_shown(request: MemberRequest, client: Client) -> bool:
    """Whether the lazy SEPI box may appear at all: the rule's parts that need no query
    (the role, the institution's kind); `panel_context` asks the rest."""
    return all_of(sepi_role, sepi_kind)(request.membership, client) is None


def audit_shown(request: MemberRequest, client: Client, answer: Lookup) -> None:
    """Showing a SEPI answer is a read of personal data: one audit row (no data in it)."""
    audit(
        actor=request.user,
        action=AuditAction.VIEW,
        obj=client,
        fields=["sepi"],
        reason=f"SEPI #{answer.pk} shown",
        request=request,
    )


def batch_progress(batch: BatchCheck) -> dict[str, Any]:
    counts = batch.lookups.aggregate(
        done=Count("pk", filter=Q(status=LookupStatus.DONE)),
        failed=Count("pk", filter=Q(status=LookupStatus.FAILED)),
        cached=Count("pk", filter=Q(status=LookupStatus.DONE, from_cache=True)),
        changed=Count("pk", filter=Q(status=LookupStatus.DONE, from_cache=False) & ~Q(changes=[])),
    )
    finished = counts["done"] + counts["failed"]
    total = batch.total or 1
    return {
        "batch": batch,
        **counts,
        "finished": finished,
        "total": batch.total,
        "percent": round(100 * finished / total),
        "running": batch.status == BatchStatus.RUNNING,
    }


def current_batch(user: User) -> BatchCheck | None:
    """The institution's running batch check, or its latest one."""
    institution = institution_of(user)
    if institution is None:
        return None
    return (
        BatchCheck.objects.filter(institution=institution)
        .select_related("requested_by")
        .order_by("-status", "-created_at")  # "running" > "done": a running one first
        .first()
    )


def lookup_timeline(client: Client, user: User) -> Iterable[TimelineEntry]:
    """The institution's own SEPI lookups about this client, on the client's timeline."""
    membership = membership_of(user)
    if membership is None or membership.role not in SEPI_ROLES:
        return []
    entries = []
    for lookup in (
        Lookup.objects.filter(client=client, institution_id=membership.institution_id)
        .select_related("requested_by", "institution")
        .order_by("-requested_at")[:50]
    ):
        result = _stored_result(lookup) if lookup.status == LookupStatus.DONE else None
        if result is not None:
            title = _("SEPI: %(status)s") % {
                "status": label(result.status) if result.found else _("unknown to the office")
            }
        elif lookup.status == LookupStatus.FAILED:
            title = _("SEPI lookup failed: %(reason)s") % {
                "reason": lookup.get_failure_reason_display()
            }
        elif lookup.status == LookupStatus.DONE:
            title = _("SEPI lookup (answer erased)")
        else:
            title = _("SEPI lookup in progress")
        entries.append(
            TimelineEntry(
                lookup.requested_at,
                _("SEPI"),
                title,
                detail=f"{lookup.get_purpose_display()} · {lookup.requested_by.display_name}",
                url=f"{client.get_absolute_url()}#sepi-panel",
                institution=lookup.institution.name,
            )
        )
    return entries


def home_my_lookups(request: MemberRequest) -> list[Lookup]:
    """The user's latest lookups about clients they may still see."""
    user = request.user
    return list(
        Lookup.objects.filter(requested_by=user, batch__isnull=True)
        .filter(client__in=visible(Client, user).values("pk"))
        .select_related("client")
        .order_by("-requested_at", "-pk")[:6]
    )
