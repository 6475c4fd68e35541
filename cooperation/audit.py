"""Writing the audit log. Every service that reads or changes personal data
calls one of these; list pages use `audit_many` so the cost is one INSERT
per page, whatever the number of rows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import hooks
from .models import AuditAction, AuditEvent, Institution

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest, HttpResponse

    from .models import User


# The address of the request being served, set by `RequestAddressMiddleware`,
# so that a service writing an audit row without the request (every write)
# still records where it came from, as the views' reads do.
_current_ip: ContextVar[str | None] = ContextVar("audit_current_ip", default=None)


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return _current_ip.get()
    # Behind the production proxy the client's address is the first hop of
    # X-Forwarded-For; the proxy sets it, so it cannot be spoofed past it.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    ip = forwarded.split(",")[0].strip() if forwarded else request.META.get("REMOTE_ADDR")
    return ip or None


@contextmanager
def request_address(request: HttpRequest) -> Iterator[None]:
    """Audit rows written while serving `request` carry its address."""
    token = _current_ip.set(client_ip(request))
    try:
        yield
    finally:
        _current_ip.reset(token)


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


@dataclass(frozen=True)
class AuditPerson:
    """Rows about `model` show the person's name to readers who may see the row
    (the log itself stores only the model name and id). `path` leads from the
    model to that person's first_name/last_name ("" for the person). Apps
    register these under the `audit_persons` hook."""

    model: type[models.Model]
    path: str = ""


def _person_paths() -> dict[type[models.Model], str]:
    return {p.model: f"{p.path}__" if p.path else "" for p in hooks.get_hooks("audit_persons")}


# Names the services log for a group of fields or a part of a record, not a field.
GROUP_LABELS = {
    "address": gettext_lazy("address"),
    "contact": gettext_lazy("contact details"),
    "history": gettext_lazy("history of changes"),
    "sepi": "SEPI",
}


def _field_label(model: type[models.Model] | None, name: str) -> str:
    try:
        field = model._meta.get_field(name) if model is not None else None
    except FieldDoesNotExist:
        field = None
    if field is not None and getattr(field, "verbose_name", None):
        return str(field.verbose_name)  # type: ignore[union-attr]
    if field is not None and field.related_model is not None:  # a reverse relation: its rows
        return str(field.related_model._meta.verbose_name_plural)
    if name in GROUP_LABELS:
        return str(GROUP_LABELS[name])
    if model is not None and hasattr(model, "audit_part_label"):
        label = model.audit_part_label(name)
        if label:
            return str(label)
    return name.replace("_", " ")


def _field_labels(model: type[models.Model] | None, names: Sequence[str]) -> list[str]:
    return [_field_label(model, name) for name in names or ()]


def _names(user: User, model: type[models.Model], prefix: str, ids: set[str]) -> dict[str, str]:
    from .permissions import visible

    pks = [int(i) for i in ids if i.isascii() and i.isdigit()]
    rows = (
        visible(model, user)
        .filter(pk__in=pks)
        .values_list("pk", f"{prefix}first_name", f"{prefix}last_name")
    )
    return {str(pk): f"{first} {last}".strip() for pk, first, last in rows}


def audit_rows(events: Iterable[AuditEvent], user: User) -> list[AuditEvent]:
    """Events ready to show `user`: each gets `field_labels` (the fields' names in
    the reader's language, resolved once per model) and `record` (the model's
    name and id, with the person's name when `user` may see that record).

    Costs one query per kind of named record on the page, whatever its length.
    """
    events = list(events)
    paths = _person_paths()
    ids: dict[type[models.Model], set[str]] = {}
    labels: dict[tuple[int | None, tuple[str, ...]], list[str]] = {}
    for e in events:
        model = e.content_type.model_class() if e.content_type_id else None  # type: ignore[union-attr]
        e.model = model  # type: ignore[attr-defined]
        key = (e.content_type_id, tuple(e.fields or ()))
        if key not in labels:
            labels[key] = _field_labels(model, e.fields)
        e.field_labels = labels[key]  # type: ignore[attr-defined]
        if model in paths and e.object_id:
            ids.setdefault(model, set()).add(e.object_id)
    names = {model: _names(user, model, paths[model], pks) for model, pks in ids.items()}
    for e in events:
        if e.model is None:  # type: ignore[attr-defined]
            e.record = e.object_label  # type: ignore[attr-defined]
            continue
        record = f"{e.model._meta.verbose_name} {_('no.')} {e.object_id}"  # type: ignore[attr-defined]
        name = names.get(e.model, {}).get(e.object_id)  # type: ignore[attr-defined]
        e.record = f"{record} — {name}" if name else record  # type: ignore[attr-defined]
    return events


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
    cache: dict[tuple[int | None, tuple[str, ...]], list[str]] = {}

    def _labels_once(e: AuditEvent) -> list[str]:
        key = (e.content_type_id, tuple(e.fields or ()))
        if key not in cache:
            model = e.content_type.model_class() if e.content_type_id else None  # type: ignore[union-attr]
            cache[key] = _field_labels(model, e.fields)
        return cache[key]

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
            ", ".join(_labels_once(e)),
            e.reason,
            e.ip or "",
        ]
        for e in events.select_related("actor", "institution", "content_type").iterator(
            chunk_size=2000
        )
    )
    return csv_response(f"{name}-{timezone.localdate():%Y-%m-%d}.csv", header, rows)
