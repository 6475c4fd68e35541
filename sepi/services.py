"""Writes of SEPI lookups: asking (with the permission, scope, purpose and rate
checks), running (in a Celery task), failing stale ones, and batch checks.

The rules:
- who may ask about whom is the policy's (sepi/permissions.py, issue 15 gate 1):
  an OPS/PCPR's social workers and coordinators, under an agreement in force
  with the PUP covering SEPI, about their own client or one shared with them
  under a consent covering SEPI;
- every lookup has a purpose and legal basis from `Purpose`, is recorded as
  a `Lookup` row and written to the audit log (without the data);
- an answer younger than SEPI_CACHE_SECONDS is reused, not asked again;
- one person may start at most SEPI_RATE_LIMIT_PER_HOUR lookups an hour.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import Scope
from agreements.scope import partners_covering_query
from clients.models import Client, ClientShare, ClientStatus, Consent
from cooperation import events
from cooperation.audit import audit
from cooperation.models import AuditAction, User
from cooperation.permissions import can, membership_of, require, visible

from . import schema
from .adapter import get_adapter
from .changes import detect_changes, worker_matters
from .models import BatchCheck, BatchStatus, FailureReason, Lookup, LookupStatus, Purpose
from .permissions import SEPI_LOOKUP
from .types import SepiError, StatusResult

logger = logging.getLogger(__name__)

PENDING = (LookupStatus.QUEUED, LookupStatus.RUNNING)
# What erasing a lookup blanks (anonymisation, retention): the PESEL sent, SEPI's
# answer and the changes found in it. The row stays as evidence of the query.
ERASED = {"pesel": "", "result": None, "changes": []}  # type: ignore[var-annotated]
# A delivery of the same task may retry a lookup that a dead worker left running,
# but not one that is still running somewhere else, and not forever.
MAX_ATTEMPTS = 3


def rate_limit_remaining(user: User) -> int:
    """Lookups this person may still start in the coming hour (batch checks do not count)."""
    since = timezone.now() - dt.timedelta(hours=1)
    used = Lookup.objects.filter(
        requested_by=user, requested_at__gte=since, batch__isnull=True
    ).count()
    return max(0, settings.SEPI_RATE_LIMIT_PER_HOUR - used)


def fresh_lookup(
    client: Client, institution_id: int, *, now: dt.datetime | None = None
) -> Lookup | None:
    """The newest answer about this client for this institution still within the cache time."""
    if settings.SEPI_CACHE_SECONDS <= 0 or not client.pesel:
        return None
    now = now or timezone.now()
    return (
        Lookup.objects.filter(
            client=client,
            institution_id=institution_id,
            pesel=client.pesel,
            status=LookupStatus.DONE,
            fetched_at__gte=now - dt.timedelta(seconds=settings.SEPI_CACHE_SECONDS),
        )
        .order_by("-fetched_at", "-pk")
        .first()
    )


def _check_client(client: Client) -> None:
    if not client.pesel:
        raise ValidationError(_("SEPI can only be asked about a person with a PESEL number."))
    if client.status != ClientStatus.ACTIVE:
        raise ValidationError(_("The client's case is closed."))


def _check_purpose(purpose: str) -> None:
    if purpose not in Purpose.values:
        raise ValidationError({"purpose": _("Choose the purpose and legal basis of the query.")})


def _from_cache(lookup: Lookup, cached: Lookup, now: dt.datetime) -> None:
    lookup.status, lookup.from_cache, lookup.finished_at = LookupStatus.DONE, True, now
    lookup.result, lookup.fetched_at, lookup.changes = (
        cached.result,
        cached.fetched_at,
        cached.changes,
    )


@transaction.atomic
def lookup_request(
    *,
    client: Client,
    acting_user: User,
    purpose: str,
    request_key: str = "",
    refresh: bool = False,
    request: HttpRequest | None = None,
) -> Lookup:
    """Record a lookup and queue it (or answer it from the cache).

    Idempotent by `request_key`: the same form submitted twice gives the same
    lookup, not a second query. `refresh` skips the cache.
    """
    require(acting_user, client, SEPI_LOOKUP)
    if request_key and (done := Lookup.objects.filter(request_key=request_key).first()):
        if done.requested_by_id != acting_user.pk or done.client_id != client.pk:
            raise ValidationError(_("This form was already used. Reload the page."))
        return done
    _check_purpose(purpose)
    _check_client(client)
    # Serialise one person's requests, so parallel clicks cannot pass the limit together.
    list(User.objects.select_for_update().filter(pk=acting_user.pk).values_list("pk"))
    if rate_limit_remaining(acting_user) <= 0:
        raise ValidationError(
            _("You have reached the limit of %(n)s SEPI lookups an hour. Try again later.")
            % {"n": settings.SEPI_RATE_LIMIT_PER_HOUR},
            code="rate_limited",
        )
    institution = membership_of(acting_user).institution  # type: ignore[union-attr]
    now = timezone.now()
    lookup = Lookup(
        client=client,
        institution=institution,
        requested_by=acting_user,
        pesel=client.pesel,
        purpose=purpose,
        request_key=request_key or uuid.uuid4().hex,
        requested_at=now,
    )
    cached = None if refresh else fresh_lookup(client, institution.pk, now=now)
    if cached is not None:
        _from_cache(lookup, cached, now)
    lookup.full_clean()
    lookup.save()
    audit(
        actor=acting_user,
        action=AuditAction.VIEW,
        obj=client,
        fields=["sepi"],
        reason=f"SEPI #{lookup.pk}: {purpose}" + (" (cache)" if cached else ""),
        request=request,
    )
    if cached is None:
        transaction.on_commit(partial(_enqueue, lookup.pk))
    return lookup


def _enqueue(lookup_id: int) -> None:
    from .tasks import sepi_lookup

    try:
        sepi_lookup.apply_async(args=[lookup_id])
    except Exception:
        # The broker is down: say so at once instead of leaving the lookup "queued".
        logger.exception("could not queue SEPI lookup %s", lookup_id)
        _fail(lookup_id, FailureReason.QUEUE)


def _lease() -> dt.timedelta:
    """How long one run may take at most: every attempt timing out, plus the backoffs."""
    per_attempt = settings.SEPI_CONNECT_TIMEOUT + settings.SEPI_READ_TIMEOUT
    retries = settings.SEPI_RETRIES
    return dt.timedelta(
        seconds=per_attempt * (retries + 1) + settings.SEPI_BACKOFF_MAX * retries + 30
    )


@transaction.atomic
def _claim(lookup_id: int) -> Lookup | None:
    lookup = (
        Lookup.objects.select_for_update(of=("self",))
        .select_related("client", "institution", "requested_by")
        .filter(pk=lookup_id)
        .first()
    )
    if lookup is None or lookup.status not in PENDING:
        return None  # done, failed, or gone: a repeated delivery changes nothing
    now = timezone.now()
    if lookup.status == LookupStatus.RUNNING and lookup.started_at > now - _lease():  # type: ignore[operator]
        return None  # another worker is on it
    if lookup.attempts >= MAX_ATTEMPTS:
        _fail(lookup.pk, FailureReason.STALE)
        return None
    lookup.status, lookup.started_at, lookup.attempts = (
        LookupStatus.RUNNING,
        now,
        lookup.attempts + 1,
    )
    lookup.save(update_fields=["status", "started_at", "attempts"])
    return lookup


def _fail(lookup_id: int, reason: str) -> int:
    return Lookup.objects.filter(pk=lookup_id, status__in=PENDING).update(
        status=LookupStatus.FAILED, failure_reason=reason, finished_at=timezone.now()
    )


def _previous_answer(lookup: Lookup) -> StatusResult | None:
    previous = (
        Lookup.objects.filter(
            client_id=lookup.client_id,
            institution_id=lookup.institution_id,
            pesel=lookup.pesel,
            status=LookupStatus.DONE,
            from_cache=False,
        )
        .exclude(pk=lookup.pk)
        .order_by("-fetched_at", "-pk")
        .only("result")
        .first()
    )
    return schema.parse(previous.result) if previous and previous.result else None


@transaction.atomic
def _complete(lookup: Lookup, result: StatusResult) -> bool:
    """Store the answer. A batch check's answer that shows a change mattering to the
    client's worker is an event (the worker did not ask: the coordinator's batch did)."""
    now = timezone.now()
    changes = detect_changes(_previous_answer(lookup), result)
    done = bool(
        Lookup.objects.filter(pk=lookup.pk, status=LookupStatus.RUNNING).update(
            status=LookupStatus.DONE,
            result=schema.dump(result),
            changes=changes,
            fetched_at=now,
            finished_at=now,
        )
    )
    matters = worker_matters(changes)
    if done and lookup.batch_id and matters:
        events.emit("sepi.change", target=lookup, changes=matters)
    return done


def lookup_run(*, lookup_id: int) -> str:
    """Ask SEPI for one queued lookup and store the answer or the reason it failed.

    Safe to call more than once for the same lookup (tasks are acks_late):
    a finished lookup is left alone. Returns the lookup's status afterwards.
    """
    lookup = _claim(lookup_id)
    if lookup is None:
        return "skipped"
    try:
        if not can(lookup.requested_by, lookup.client, SEPI_LOOKUP):
            _fail(lookup.pk, FailureReason.NO_ACCESS)
            return LookupStatus.FAILED
        result = get_adapter().lookup_status(
            lookup.pesel,
            purpose=lookup.purpose,
            requested_by=f"{lookup.institution.short_name}/{lookup.requested_by.username}",
            request_id=lookup.request_key,
        )
        _complete(lookup, result)
    except SepiError as exc:
        logger.info("SEPI lookup %s failed: %s (%s)", lookup.pk, exc.code, exc)
        _fail(lookup.pk, exc.code)
    except Exception:
        logger.exception("SEPI lookup %s failed unexpectedly", lookup.pk)
        _fail(lookup.pk, FailureReason.INTERNAL)
    finally:
        if lookup.batch_id:
            batch_finish_if_done(batch_id=lookup.batch_id)
    return Lookup.objects.values_list("status", flat=True).get(pk=lookup.pk)


def lookups_fail_stale(*, lookup_ids: Iterable[int] | None = None) -> int:
    """Fail lookups queued or running for longer than SEPI_STALE_MINUTES (a lost
    message, a dead worker): the worker sees the reason and a retry button."""
    cutoff = timezone.now() - dt.timedelta(minutes=settings.SEPI_STALE_MINUTES)
    stale = Lookup.objects.filter(status__in=PENDING, requested_at__lt=cutoff)
    if lookup_ids is not None:
        stale = stale.filter(pk__in=list(lookup_ids))
    batches = set(stale.exclude(batch=None).values_list("batch_id", flat=True))
    failed = stale.update(
        status=LookupStatus.FAILED, failure_reason=FailureReason.STALE, finished_at=timezone.now()
    )
    for batch_id in batches:
        batch_finish_if_done(batch_id=batch_id)
    return failed


# --- batch checks ---------------------------------------------------------------


def batch_candidates(user: User, *, may_start: bool | None = None) -> QuerySet[Client]:
    """The shared clients a coordinator's batch check covers: our own clients shared
    with a partner, and partners' clients shared with us under an agreement and a
    consent covering SEPI. `may_start`: the caller's answer to can(user, BatchCheck,
    "start"), when it already has it (the list page), so it is asked once per page."""
    membership = membership_of(user)
    if may_start is None:
        may_start = can(user, BatchCheck, "start")
    if membership is None or not may_start:
        return Client.objects.none()
    institution_id = membership.institution_id
    shared_out = ClientShare.objects.filter(client=OuterRef("pk"), ended_at__isnull=True)
    # A partner's client only under a consent to us that covers SEPI (the same rule as a
    # single lookup, sepi.permissions.client_in_reach); scopes are JSON, read once here.
    consents = Consent.objects.filter(
        partner_id=institution_id,
        withdrawn_at__isnull=True,
        lapsed=False,
        valid_until__gte=timezone.localdate(),
    ).values_list("client_id", "scopes")
    consented = [client_id for client_id, scopes in consents if Scope.SEPI in scopes]
    return (
        visible(Client, user)
        .filter(status=ClientStatus.ACTIVE)
        .exclude(pesel="")
        .filter(
            Q(Exists(shared_out), owner_id=institution_id)
            | Q(
                owner_id__in=partners_covering_query(institution_id, Scope.SEPI),
                pk__in=consented,
            )
        )
    )


@transaction.atomic
def batch_start(
    *, acting_user: User, purpose: str, request: HttpRequest | None = None
) -> BatchCheck:
    """Queue a lookup for every shared client, in chunks; fresh answers are reused."""
    require(acting_user, BatchCheck, "start")
    _check_purpose(purpose)
    institution = membership_of(acting_user).institution  # type: ignore[union-attr]
    if BatchCheck.objects.filter(institution=institution, status=BatchStatus.RUNNING).exists():
        raise ValidationError(_("A batch check is already running. Wait until it finishes."))
    clients = list(batch_candidates(acting_user).order_by("pk")[: settings.SEPI_BATCH_MAX + 1])
    if not clients:
        raise ValidationError(_("There are no shared clients to check."))
    if len(clients) > settings.SEPI_BATCH_MAX:
        raise ValidationError(
            _("A batch check covers at most %(n)s clients; you share more.")
            % {"n": settings.SEPI_BATCH_MAX}
        )
    batch = BatchCheck.objects.create(
        institution=institution, requested_by=acting_user, purpose=purpose, total=len(clients)
    )
    now = timezone.now()
    fresh = _fresh_by_client(institution.pk, [c.pk for c in clients], now)
    lookups = []
    for client in clients:
        lookup = Lookup(
            client=client,
            institution=institution,
            requested_by=acting_user,
            pesel=client.pesel,
            purpose=purpose,
            request_key=uuid.uuid4().hex,
            requested_at=now,
            batch=batch,
        )
        if (cached := fresh.get(client.pk)) is not None and cached.pesel == client.pesel:
            _from_cache(lookup, cached, now)
        lookups.append(lookup)
    Lookup.objects.bulk_create(lookups)
    for client, lookup in zip(clients, lookups, strict=True):
        audit(
            actor=acting_user,
            action=AuditAction.VIEW,
            obj=client,
            fields=["sepi"],
            reason=f"SEPI #{lookup.pk} (batch #{batch.pk}): {purpose}",
            request=request,
        )
    queued = [lk.pk for lk in Lookup.objects.filter(batch=batch, status=LookupStatus.QUEUED)]
    if not queued:
        batch.status, batch.finished_at = BatchStatus.DONE, now
        batch.save(update_fields=["status", "finished_at"])
    size = max(1, settings.SEPI_BATCH_CHUNK)
    for start in range(0, len(queued), size):
        transaction.on_commit(partial(_enqueue_chunk, queued[start : start + size]))
    return batch


def _fresh_by_client(
    institution_id: int, client_ids: list[int], now: dt.datetime
) -> dict[int, Lookup]:
    if settings.SEPI_CACHE_SECONDS <= 0:
        return {}
    rows = Lookup.objects.filter(
        institution_id=institution_id,
        client_id__in=client_ids,
        status=LookupStatus.DONE,
        fetched_at__gte=now - dt.timedelta(seconds=settings.SEPI_CACHE_SECONDS),
    ).order_by("client_id", "-fetched_at", "-pk")
    fresh: dict[int, Lookup] = {}
    for row in rows:
        fresh.setdefault(row.client_id, row)
    return fresh


def _enqueue_chunk(lookup_ids: list[int]) -> None:
    from .tasks import sepi_lookup_chunk

    try:
        sepi_lookup_chunk.apply_async(args=[lookup_ids])
    except Exception:
        logger.exception("could not queue a SEPI batch chunk")
        for lookup_id in lookup_ids:
            _fail(lookup_id, FailureReason.QUEUE)
        batch_ids = set(Lookup.objects.filter(pk__in=lookup_ids).values_list("batch_id", flat=True))
        for batch_id in batch_ids - {None}:
            batch_finish_if_done(batch_id=batch_id)


def batch_finish_if_done(*, batch_id: int) -> bool:
    """Mark a batch finished once none of its lookups is queued or running."""
    if Lookup.objects.filter(batch_id=batch_id, status__in=PENDING).exists():
        return False
    return bool(
        BatchCheck.objects.filter(pk=batch_id, status=BatchStatus.RUNNING).update(
            status=BatchStatus.DONE, finished_at=timezone.now()
        )
    )


@transaction.atomic
def lookups_erase_for_client(*, client: Client, acting_user: User | None) -> int:
    """Erase SEPI answers and PESELs kept on a client's lookups (anonymisation).

    The rows stay, as evidence that a lookup was made, who made it and why.
    """
    lookups = Lookup.objects.filter(client=client)
    erased = lookups.exclude(pesel="", result=None).update(**ERASED)
    Lookup.objects.filter(client=client, status__in=PENDING).update(
        status=LookupStatus.FAILED,
        failure_reason=FailureReason.NO_ACCESS,
        finished_at=timezone.now(),
    )
    if erased:
        audit(
            actor=acting_user,
            action=AuditAction.DELETE,
            obj=client,
            fields=["sepi"],
            reason="SEPI answers erased",
        )
    return erased
