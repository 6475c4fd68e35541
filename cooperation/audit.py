"""Writing the audit log. Every service that reads or changes personal data
calls one of these; list pages use `audit_many` so the cost is one INSERT
per page, whatever the number of rows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditAction, AuditEvent, Institution

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest, HttpResponse

    from .models import User


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    # Behind the production proxy the client's address is the first hop of
    # X-Forwarded-For; the proxy sets it, so it cannot be spoofed past it.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    ip = forwarded.split(",")[0].strip() if forwarded else request.META.get("REMOTE_ADDR")
    return ip or None


def _label(obj: models.Model) -> str:
    # Model name and id only: an object's __str__ may contain a person's name.
    return f"{obj._meta.verbose_name} #{obj.pk}"


def _event(
    *,
    actor: User | None,
    institution: Institution | None,
    action: AuditAction | str,
    obj: models.Model | None,
    fields: Sequence[str],
    reason: str,
    ip: str | None,
) -> AuditEvent:
    return AuditEvent(
        actor=actor if actor is not None and actor.is_authenticated else None,
        institution=institution,
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_label=_label(obj) if obj is not None else "",
        fields=sorted(fields),
        reason=reason[:250],
        ip=ip,
    )


def audit(
    *,
    actor: User | None,
    action: AuditAction | str,
    obj: models.Model | None = None,
    fields: Sequence[str] = (),
    reason: str = "",
    request: HttpRequest | None = None,
    institution: Institution | None = None,
) -> AuditEvent:
    """Write one audit row. The acting institution defaults to the actor's."""
    from .permissions import institution_of

    event = _event(
        actor=actor,
        institution=institution or (institution_of(actor) if actor is not None else None),
        action=action,
        obj=obj,
        fields=fields,
        reason=reason,
        ip=client_ip(request),
    )
    event.save()
    return event


def audit_many(
    *,
    actor: User | None,
    action: AuditAction | str,
    objects: Iterable[models.Model],
    request: HttpRequest | None = None,
    reason: str = "",
    institution: Institution | None = None,
) -> list[AuditEvent]:
    """One row per object in a single INSERT (ContentType lookups are cached).

    `actor=None` marks a system action (a nightly task, an agreement ending).
    """
    from .permissions import institution_of

    institution = institution or (institution_of(actor) if actor is not None else None)
    ip = client_ip(request)
    events = [
        _event(
            actor=actor,
            institution=institution,
            action=action,
            obj=o,
            fields=(),
            reason=reason,
            ip=ip,
        )
        for o in objects
    ]
    return AuditEvent.objects.bulk_create(events) if events else []


def audit_log_csv(events: QuerySet[AuditEvent], name: str) -> HttpResponse:
    """Audit events as a CSV download (the coordinator's evidence for an
    inspection). Like the log itself, it names records, never their data."""
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from .csvexport import csv_response

    header = [
        _("When"),
        _("Who"),
        _("Username"),
        _("Institution"),
        _("Action"),
        _("Record type"),
        _("Record id"),
        _("Record"),
        _("Fields"),
        _("Reason"),
        _("IP address"),
    ]
    rows = (
        [
            timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
            e.actor.display_name if e.actor else "",
            e.actor.username if e.actor else "",
            e.institution.name if e.institution else "",
            e.get_action_display(),
            e.content_type.name if e.content_type else "",
            e.object_id,
            e.object_label,
            ", ".join(e.fields or []),
            e.reason,
            e.ip or "",
        ]
        for e in events.select_related("actor", "institution", "content_type").iterator(
            chunk_size=2000
        )
    )
    return csv_response(f"{name}-{timezone.localdate():%Y-%m-%d}.csv", header, rows)
